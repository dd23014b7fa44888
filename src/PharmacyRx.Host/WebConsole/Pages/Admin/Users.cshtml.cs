using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.WebConsole.Pages.Admin;

/// <summary>
/// Pharmacy IT's users page: add (the one-time password shown once), disable and enable, reset, roles, permissions by
/// name, API keys. Each form calls what the API's route calls (<see cref="UserAdministration"/>, <see cref="AccessStore"/>,
/// <see cref="SessionStore"/>), which checks and audits the change (1311.205(b)(2), 1311.215(a)(4)).
/// </summary>
[Authorize(Policy = nameof(Permission.ManageAccess))]
public sealed class UsersModel(AccessApprovals approvals, AccessStore access, SessionStore sessions) : AdminFormPage
{
    public IReadOnlyList<AccessStore.UserView> Users { get; private set; } = [];

    public IReadOnlyList<AccessStore.RoleView> Roles { get; private set; } = [];

    /// <summary>A secret to show once (a new user's one-time password, a reset, an API key), with whose it is.</summary>
    public (string Label, string Value)? Secret { get; private set; }

    [TempData]
    public string? Done { get; set; }

    /// <summary>The user whose disabling is to be confirmed (<c>?confirm=</c>), or null: disabling asks first, without script.</summary>
    public string? Confirm { get; private set; }

    public async Task OnGetAsync(string? confirm, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Confirm = confirm is null ? null : Users.FirstOrDefault(u => u.UserName == UserNames.Normalize(confirm) && u.Status == "Active")?.UserName;
    }

    public async Task<IActionResult> OnPostAddAsync(
        string? userName, string? fullName, string? initials, string[]? roles, bool service, CancellationToken cancellationToken)
    {
        var created = await approvals.CreateAsync(userName ?? "", fullName ?? "", initials ?? "", roles ?? [],
            service ? UserKind.Service : UserKind.Person, User.Identity!.Name!, breakGlass: false, cancellationToken);
        if (created.Pending)
        {
            Done = created.Result.Message;
            return RedirectToPage();
        }
        if (created.Result.Outcome != AccessOutcome.Changed)
        {
            return await RefuseAsync(created.Result.Message, cancellationToken);
        }
        Secret = created.Password is { } password
            ? ($"One-time password for {created.UserName} (shown once; they must change it when they first sign in)", password)
            : null;
        Done = created.Password is null ? $"Service account {created.UserName} added; it signs in with an API key only." : null;
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostResetAsync(string? userName, CancellationToken cancellationToken)
    {
        var reset = await approvals.ResetPasswordAsync(userName ?? "", User.Identity!.Name!, breakGlass: false, cancellationToken);
        if (reset.Pending)
        {
            Done = reset.Result.Message;
            return RedirectToPage();
        }
        if (reset.Password is not { } password)
        {
            return await RefuseAsync(reset.Result.Message, cancellationToken);
        }
        Secret = ($"New one-time password for {UserNames.Normalize(userName ?? "")} (shown once)", password);
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostApiKeyAsync(string? userName, string? label, CancellationToken cancellationToken)
    {
        var name = UserNames.Normalize(userName ?? "");
        var created = await sessions.CreateApiKeyAsync(name, label ?? "", User.Identity!.Name!, cancellationToken);
        if (created.Key is not { } key)
        {
            return await RefuseAsync(created.Result.Message, cancellationToken);
        }
        Secret = ($"API key '{label}' for {name} (shown once; only its hash is kept)", key);
        await LoadAsync(cancellationToken);
        return Page();
    }

    public Task<IActionResult> OnPostDisableAsync(string? userName, CancellationToken cancellationToken) =>
        ChangeAsync(access.DisableAsync(UserNames.Normalize(userName ?? ""), User.Identity!.Name!, cancellationToken), $"{userName} disabled.", cancellationToken);

    public Task<IActionResult> OnPostEnableAsync(string? userName, CancellationToken cancellationToken) =>
        ChangeAsync(Result(approvals.EnableAsync(userName ?? "", User.Identity!.Name!, breakGlass: false, cancellationToken)), $"{userName} enabled.", cancellationToken);

    public Task<IActionResult> OnPostRoleAsync(string? userName, string? role, bool grant, CancellationToken cancellationToken)
    {
        var name = UserNames.Normalize(userName ?? "");
        var change = grant
            ? Result(approvals.AssignRoleAsync(name, role ?? "", User.Identity!.Name!, breakGlass: false, cancellationToken))
            : Result(approvals.RemoveRoleAsync(name, role ?? "", User.Identity!.Name!, breakGlass: false, cancellationToken));
        return ChangeAsync(change, $"Role {role} {(grant ? "assigned to" : "removed from")} {name}.", cancellationToken);
    }

    public async Task<IActionResult> OnPostPermissionAsync(string? userName, string? permission, bool grant, CancellationToken cancellationToken)
    {
        if (!ExactName.TryParse<Permission>(permission ?? "", out var parsed))
        {
            return await RefuseAsync($"a permission is one of {ExactName.List<Permission>()}", cancellationToken);
        }
        var name = UserNames.Normalize(userName ?? "");
        var change = grant
            ? Result(approvals.GrantAsync(name, parsed, User.Identity!.Name!, breakGlass: false, cancellationToken))
            : Result(approvals.RevokeAsync(name, parsed, User.Identity!.Name!, breakGlass: false, cancellationToken));
        return await ChangeAsync(change, $"{parsed} {(grant ? "granted to" : "revoked from")} {name}.", cancellationToken);
    }

    /// <summary>Approves a change another administrator asked for (the two-person rule); a one-time password it makes is shown to the approver.</summary>
    public async Task<IActionResult> OnPostApproveAsync(string? requestId, CancellationToken cancellationToken)
    {
        var approved = await approvals.ApproveAsync(requestId ?? "", User.Identity!.Name!, cancellationToken);
        if (approved.Result.Outcome is not (AccessOutcome.Changed or AccessOutcome.Unchanged))
        {
            return await RefuseAsync(approved.Result.Message, cancellationToken);
        }
        Secret = approved.Password is { } password ? ($"One-time password for {approved.UserName} (shown once, to you, the approver)", password) : null;
        Done = $"Request {requestId} approved and made.";
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>Names the pharmacist-in-charge (empty: none); waits for a second person while the rule applies.</summary>
    public async Task<IActionResult> OnPostPharmacistInChargeAsync(string? userName, CancellationToken cancellationToken)
    {
        var named = await approvals.NamePharmacistInChargeAsync(userName, User.Identity!.Name!, breakGlass: false, cancellationToken);
        return await ChangeAsync(Task.FromResult(named.Result),
            string.IsNullOrWhiteSpace(userName) ? "No pharmacist-in-charge is named." : $"{UserNames.Normalize(userName)} is pharmacist-in-charge.", cancellationToken);
    }

    /// <summary>Turns the two-person rule on (at once) or off (waits for a second person).</summary>
    public async Task<IActionResult> OnPostRuleAsync(bool? on, CancellationToken cancellationToken)
    {
        if (on is null)
        {
            return await RefuseAsync("say whether the two-person rule is to be on or off", cancellationToken);
        }
        var set = await approvals.SetRuleAsync(on.Value, User.Identity!.Name!, breakGlass: false, cancellationToken);
        return await ChangeAsync(Task.FromResult(set.Result), on.Value ? "The two-person rule is on." : "The two-person rule is off.", cancellationToken);
    }

    public Task<IActionResult> OnPostRefuseAsync(string? requestId, CancellationToken cancellationToken) =>
        ChangeAsync(approvals.RefuseAsync(requestId ?? "", User.Identity!.Name!, cancellationToken), $"Request {requestId} refused; nothing changed.", cancellationToken);

    private static async Task<AccessResult> Result(Task<AccessApprovals.Outcome> change) => (await change).Result;

    private async Task<IActionResult> ChangeAsync(Task<AccessResult> change, string done, CancellationToken cancellationToken)
    {
        var result = await change;
        if (result.Outcome is AccessOutcome.Pending)
        {
            Done = result.Message;
            return RedirectToPage();
        }
        if (result.Outcome is AccessOutcome.Changed or AccessOutcome.Unchanged)
        {
            Done = done;
            return RedirectToPage();
        }
        return await RefuseAsync(result.Message, cancellationToken);
    }

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        Users = await access.ListUsersAsync(cancellationToken);
        Roles = await access.ListRolesAsync(cancellationToken);
        Requests = await approvals.PendingAsync(cancellationToken);
        Policy = await approvals.PolicyAsync(cancellationToken);
    }

    /// <summary>The two-person rule's state and the pharmacist-in-charge.</summary>
    public AccessPolicy.State Policy { get; private set; } = AccessPolicy.State.Default;

    /// <summary>Access changes waiting for a second person's approval (the two-person rule).</summary>
    public IReadOnlyList<Storage.Access.AccessRequests.Request> Requests { get; private set; } = [];
}
