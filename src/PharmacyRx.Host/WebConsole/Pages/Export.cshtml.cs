using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Api;
using PharmacyRx.Host.Export;

namespace PharmacyRx.Host.WebConsole.Pages;

/// <summary>The inspector's export form: the export's request parsing and writer, the file as the download.</summary>
[Authorize(Policy = nameof(Permission.Export))]
public sealed class ExportModel(InspectorExport export) : PageModel
{
    [BindProperty]
    public string Format { get; set; } = "xlsx";

    [BindProperty]
    public string Sort { get; set; } = "prescriber";

    [BindProperty]
    public string? From { get; set; }

    [BindProperty]
    public string? To { get; set; }

    [BindProperty]
    public string? Schedule { get; set; }

    [BindProperty]
    public string? Prescriber { get; set; }

    [BindProperty]
    public string? Patient { get; set; }

    [BindProperty]
    public string? Drug { get; set; }

    [BindProperty]
    public bool DispensedOnly { get; set; }

    public string? Problem { get; private set; }

    public void OnGet()
    {
    }

    [RequiresPermission(Permission.Export)]
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
        var (request, error) = ExportRequest.Parse(Format, Sort, Given(From), Given(To), Given(Schedule), Given(Prescriber), Given(Patient), Given(Drug), DispensedOnly);
        if (request is null)
        {
            Problem = error;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var (file, name) = await export.OpenDownloadAsync(request, User.Identity!.Name!, cancellationToken);
        return File(file, request.ContentType, name);
    }
}
