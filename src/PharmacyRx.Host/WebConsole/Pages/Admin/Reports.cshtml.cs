using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Audit;

namespace PharmacyRx.Host.WebConsole.Pages.Admin;

/// <summary>The daily audit reports (1311.215): the list, one report as text, and its CSV or JSON for machines.</summary>
[Authorize(Policy = nameof(Permission.ReadAudit))]
public sealed class ReportsModel(AuditReporter reporter) : PageModel
{
    public IReadOnlyList<DateOnly> Days { get; private set; } = [];

    public DateOnly? Day { get; private set; }

    public string? Text { get; private set; }

    public IActionResult OnGet(string? day)
    {
        Days = reporter.Days().OrderDescending().ToArray();
        if (day is null)
        {
            return Page();
        }
        if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            || reporter.Read(date, "txt") is not { } text)
        {
            return NotFound();
        }
        (Day, Text) = (date, text);
        return Page();
    }

    public IActionResult OnGetDownload(string? day, string? format)
    {
        var contentType = format switch
        {
            "csv" => "text/csv; charset=utf-8",
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
