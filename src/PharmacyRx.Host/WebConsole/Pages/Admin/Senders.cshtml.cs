using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Core.Access;
using PharmacyRx.Storage.Receiving;

namespace PharmacyRx.Host.WebConsole.Pages.Admin;

/// <summary>
/// The senders that may post prescriptions (gateways, intermediaries): list, add (the API key shown once), disable after a
/// confirmation that names the consequence (a page of its own, so it works without script), enable again. As <c>senders</c> does.
/// </summary>
[Authorize(Policy = nameof(Permission.ManageAccess))]
public sealed class SendersModel(SenderStore senders) : PageModel
{
    public IReadOnlyList<Sender> Senders { get; private set; } = [];

    public (string Name, string Key)? NewKey { get; private set; }

    public string? Problem { get; private set; }

    [TempData]
    public string? Done { get; set; }

    /// <summary>The active sender whose disabling is to be confirmed (<c>?confirm=</c>), or null.</summary>
    public string? Confirm { get; private set; }

    public async Task OnGetAsync(string? confirm, CancellationToken cancellationToken)
    {
        Senders = await senders.ListAsync(cancellationToken);
        Confirm = Senders.FirstOrDefault(s => s.SenderName == confirm && s.DisabledAt is null)?.SenderName;
    }

    public async Task<IActionResult> OnPostAddAsync(string? name, string? fromId, bool anyFrom, CancellationToken cancellationToken)
    {
        var added = SenderStore.FromProblem(fromId, anyFrom) is { } problem
            ? new SenderStore.AddResult(null, problem)
            : await senders.AddAsync(name ?? "", string.IsNullOrWhiteSpace(fromId) ? null : fromId.Trim(), null, User.Identity!.Name!, cancellationToken);
        if (added.ApiKey is { } key)
        {
            NewKey = (name!, key);
        }
        else
        {
            Problem = added.Problem;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        Senders = await senders.ListAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostDisableAsync(string? name, CancellationToken cancellationToken)
    {
        Done = await senders.DisableAsync(name ?? "", User.Identity!.Name!, cancellationToken) ? $"Sender {name} disabled." : $"No active sender {name}.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostEnableAsync(string? name, CancellationToken cancellationToken)
    {
        Done = await senders.EnableAsync(name ?? "", User.Identity!.Name!, cancellationToken) ? $"Sender {name} enabled: its key works again." : $"No disabled sender {name}.";
        return RedirectToPage();
    }
}
