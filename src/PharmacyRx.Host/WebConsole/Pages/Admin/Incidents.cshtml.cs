using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.WebConsole.Pages.Admin;

/// <summary>
/// Security incidents (1311.215(c)): the flagged events waiting for a decision, decided together with one form; the open
/// incidents with their deadline, their report and a form to mark it sent. Each form calls what the API calls.
/// </summary>
[Authorize(Policy = nameof(Permission.ReadAudit))]
public sealed class IncidentsModel(IncidentStore incidents) : AdminFormPage
{
    public IncidentStanding? Standing { get; private set; }

    /// <summary>The values of a refused decision, shown again.</summary>
    public (IReadOnlyCollection<long> Sequences, string Verdict, string? Reason, string? Action) Kept { get; private set; } = ([], "", null, null);

    [TempData]
    public string? Done { get; set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostDecideAsync(long[]? sequences, string? verdict, string? reason, string? action, CancellationToken cancellationToken)
    {
        Kept = (sequences ?? [], verdict ?? "", reason, action);
        if (verdict is not ("incident" or "not-incident"))
        {
            return await RefuseAsync("choose whether the events are a security incident or not", cancellationToken);
        }
        var decided = await incidents.DecideAsync(sequences ?? [], verdict == "incident", reason, action, User.Identity!.Name!, cancellationToken);
        if (decided.DecisionId is not { } id)
        {
            return await RefuseAsync(decided.Problem!, cancellationToken);
        }
        Done = verdict == "incident"
            ? $"Incident {id:D} recorded: send its report to the DEA (and the application provider, if any) and mark it sent."
            : $"{sequences!.Length} event(s) decided: not a security incident.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostReportedAsync(Guid id, string? reportedTo, CancellationToken cancellationToken)
    {
        var marked = await incidents.MarkReportedAsync(id, reportedTo, null, User.Identity!.Name!, cancellationToken);
        if (marked.DecisionId is null)
        {
            return await RefuseAsync(marked.Problem!, cancellationToken);
        }
        Done = $"Incident {id:D} marked sent to {reportedTo}.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnGetReportAsync(Guid id, string? format, CancellationToken cancellationToken)
    {
        if (await incidents.ReportAsync(id, cancellationToken) is not { } report)
        {
            return NotFound();
        }
        if (format == "txt")
        {
            return File(Encoding.UTF8.GetBytes(report.Text), "text/plain; charset=utf-8", $"incident-{id:D}.txt");
        }
        // Opened in the browser to print to PDF: its own style sheet alone, no script, sandboxed.
        Response.Headers.ContentSecurityPolicy = IncidentViews.ReportPolicy;
        return Content(report.Html, "text/html; charset=utf-8");
    }

    protected override async Task LoadAsync(CancellationToken cancellationToken) => Standing = await incidents.ReadAsync(cancellationToken);
}
