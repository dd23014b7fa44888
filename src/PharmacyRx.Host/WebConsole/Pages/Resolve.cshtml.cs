using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Core.Access;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Dispensing;

namespace PharmacyRx.Host.WebConsole.Pages;

/// <summary>
/// Resolves an Invalid or Rejected record from the queue, with a reason (<see cref="PharmacyWorkStore.ResolveAsync"/>):
/// it leaves the queue and stays what it is, never dispensable. Needs the Annotate permission (1311.205(b)(1)).
/// </summary>
[Authorize(Policy = nameof(Permission.Annotate))]
public sealed class ResolveModel(ArchiveQueries archive, PharmacyWorkStore work) : PageModel
{
    public ArchivedRecord? Record { get; private set; }

    [BindProperty]
    public string? Reason { get; set; }

    public string? Problem { get; private set; }

    [TempData]
    public string? Done { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        Record = await archive.FindAsync(id.ToString("D"), cancellationToken);
        return Record is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        if ((Reason?.Length ?? 0) > TextLimits.Text)
        {
            return await RefuseAsync(id, $"the reason is at most {TextLimits.Text} characters", cancellationToken);
        }
        var result = await work.ResolveAsync(id, Reason ?? "", User.Identity!.Name!, cancellationToken);
        if (result.Appended)
        {
            Done = "Resolved: it has left the queue. It stays as it is and cannot be dispensed.";
            return Redirect("/queue");
        }
        return result.Code == PharmacyWorkStore.NotFound ? NotFound() : await RefuseAsync(id, $"{result.Code}: {result.Reason}", cancellationToken);
    }

    private async Task<IActionResult> RefuseAsync(Guid id, string problem, CancellationToken cancellationToken)
    {
        Problem = problem;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        Record = await archive.FindAsync(id.ToString("D"), cancellationToken);
        return Record is null ? NotFound() : Page();
    }
}
