using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace PharmacyRx.Host.WebConsole.Pages.Admin;

/// <summary>
/// An IT page whose forms, when refused, show the page again with the problem in words and the status 400 (the values
/// the page lists read again, so it is whole).
/// </summary>
public abstract class AdminFormPage : PageModel
{
    public string? Problem { get; private set; }

    /// <summary>Reads what the page lists.</summary>
    protected abstract Task LoadAsync(CancellationToken cancellationToken);

    protected async Task<IActionResult> RefuseAsync(string problem, CancellationToken cancellationToken)
    {
        Problem = problem;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        await LoadAsync(cancellationToken);
        return Page();
    }
}
