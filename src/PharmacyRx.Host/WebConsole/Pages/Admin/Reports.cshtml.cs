using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Audit;

namespace PharmacyRx.Host.WebConsole.Pages.Admin;

/// <summary>
/// The daily audit reports (1311.215): today's so far and the list, one report as a table, and its text, CSV or JSON for
/// machines.
/// </summary>
[Authorize(Policy = nameof(Permission.ReadAudit))]
public sealed class ReportsModel(AuditReporter reporter) : PageModel
{
    public IReadOnlyList<DateOnly> Days { get; private set; } = [];

    public DateOnly? Day { get; private set; }

    /// <summary>The report shown: a stored day's, or today's so far on the list page.</summary>
    public AuditReport? Report { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? day, CancellationToken cancellationToken)
    {
        Days = reporter.Days().OrderDescending().ToArray();
        if (day is null)
        {
            Report = await reporter.TodaySoFarAsync(cancellationToken);
            return Page();
        }
        if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            || reporter.ReadReport(date) is not { } report)
        {
            return NotFound();
        }
        (Day, Report) = (date, report);
        return Page();
    }

    public IActionResult OnGetDownload(string? day, string? format)
    {
        var contentType = format switch
        {
            "csv" => "text/csv; charset=utf-8",
            "txt" => "text/plain; charset=utf-8",
            "json" => "application/json",
            _ => null,
        };
        return contentType is not null
            && DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            && reporter.Read(date, format!) is { } content
            ? File(System.Text.Encoding.UTF8.GetBytes(content), contentType, $"audit-{date:yyyy-MM-dd}.{format}")
            : NotFound();
    }
}
