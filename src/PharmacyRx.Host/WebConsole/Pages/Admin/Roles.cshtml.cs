using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.WebConsole.Pages.Admin;

/// <summary>Roles and their permissions as a matrix; each cell is a form the store checks and audits (<see cref="AccessStore.ChangeRoleAsync"/>).</summary>
[Authorize(Policy = nameof(Permission.ManageAccess))]
public sealed class RolesModel(AccessStore access, AccessApprovals approvals) : PageModel
{
    public IReadOnlyList<AccessStore.RoleView> Roles { get; private set; } = [];

    public string? Problem { get; private set; }

    [TempData]
    public string? Done { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => Roles = await access.ListRolesAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(string? role, string? permission, bool grant, CancellationToken cancellationToken)
    {
        var result = ExactName.TryParse<Permission>(permission ?? "", out var parsed)
            ? (await approvals.ChangeRoleAsync(role ?? "", parsed, grant, User.Identity!.Name!, breakGlass: false, cancellationToken)).Result
            : AccessResult.Invalid($"a permission is one of {ExactName.List<Permission>()}");
        if (result.Outcome is AccessOutcome.Pending)
        {
            Done = result.Message;
            return RedirectToPage();
        }
        if (result.Outcome is AccessOutcome.Changed or AccessOutcome.Unchanged)
        {
            Done = $"{parsed} {(grant ? "granted to" : "revoked from")} role {role}.";
            return RedirectToPage();
        }
        Problem = result.Message;
        Response.StatusCode = result.Outcome == AccessOutcome.Refused ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
        Roles = await access.ListRolesAsync(cancellationToken);
        return Page();
    }
}
