using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.WebConsole.Pages.Admin;

/// <summary>
/// Which identity provider group or app-role values give which roles (<see cref="ClaimRoleMappings"/>): list, map, remove,
/// as <c>identity-provider</c> does. Mapping to a role with a guarded permission waits for a second person (two-person rule).
/// </summary>
[Authorize(Policy = nameof(Permission.ManageAccess))]
public sealed class IdentityProviderModel(ClaimRoleMappings mappings, AccessStore access, AccessApprovals approvals, IOptions<IdentityProviderOptions> options)
    : AdminFormPage
{
    public IdentityProviderOptions Settings => options.Value;

    public IReadOnlyList<ClaimRoleMappings.Mapping> Mappings { get; private set; } = [];

    public IReadOnlyList<AccessStore.RoleView> Roles { get; private set; } = [];

    public string ClaimValue { get; private set; } = "";

    public string Role { get; private set; } = "";

    [TempData]
    public string? Done { get; set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAddAsync(string? claimValue, string? role, CancellationToken cancellationToken)
    {
        (ClaimValue, Role) = (claimValue ?? "", role ?? "");
        var outcome = await approvals.MapClaimAsync(ClaimValue, Role, User.Identity!.Name!, breakGlass: false, cancellationToken);
        if (outcome.Result.Outcome is AccessOutcome.Changed or AccessOutcome.Unchanged or AccessOutcome.Pending)
        {
            Done = outcome.Pending ? outcome.Result.Message : $"{ClaimValue} now gives role {Role}.";
            return RedirectToPage();
        }
        var page = await RefuseAsync(outcome.Result.Message, cancellationToken);
        if (outcome.Result.Outcome == AccessOutcome.Refused)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
        }
        return page;
    }

    public async Task<IActionResult> OnPostRemoveAsync(string? claimValue, string? role, CancellationToken cancellationToken)
    {
        var result = await mappings.RemoveAsync(claimValue ?? "", role ?? "", User.Identity!.Name!, cancellationToken);
        if (result.Outcome != AccessOutcome.Changed)
        {
            return await RefuseAsync(result.Message, cancellationToken);
        }
        Done = $"{claimValue} no longer gives role {role}.";
        return RedirectToPage();
    }

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        Mappings = await mappings.ListAsync(cancellationToken);
        Roles = await access.ListRolesAsync(cancellationToken);
    }
}
