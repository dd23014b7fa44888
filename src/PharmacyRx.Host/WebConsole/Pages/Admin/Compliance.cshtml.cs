using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Compliance;

namespace PharmacyRx.Host.WebConsole.Pages.Admin;

/// <summary>
/// The compliance self-report (1311.205-1311.215, 1311.305, 1304.04(h)(5)) for PharmacyAdmin and Auditor: the report
/// <c>serve</c> makes hourly, and "check now" to make it again.
/// </summary>
[Authorize(Policy = nameof(Permission.ReadAudit))]
public sealed class ComplianceModel(ComplianceMonitor monitor) : PageModel
{
    public ComplianceReport Report { get; private set; } = null!;

    [TempData]
    public string? Done { get; set; }

    /// <summary>
    /// The report as things stand: a report with a FAIL or WARN is made again on opening, so a problem fixed since (a
    /// backup taken, a CRL imported) does not still show as one.
    /// </summary>
    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Report = monitor.Latest is { } latest && latest.Summary.Fail == 0 && latest.Summary.Warn == 0 ? latest : await monitor.RefreshAsync(cancellationToken);

    /// <summary>The console page where a to-do is done, by the command it names; null when only the command line does it.</summary>
    public static (string Path, string Label)? PageFor(string? action) => action switch
    {
        null => null,
        _ when action.Contains("backup", StringComparison.OrdinalIgnoreCase) => ("/admin/backups", "Backups"),
        _ when action.Contains("crl", StringComparison.OrdinalIgnoreCase) || action.Contains("trust add", StringComparison.Ordinal) => ("/admin/trust", "Trust and CRLs"),
        _ when action.Contains("audit decide", StringComparison.Ordinal) || action.Contains("incident", StringComparison.OrdinalIgnoreCase) => ("/admin/incidents", "Security incidents"),
        _ when action.Contains("audit report", StringComparison.Ordinal) => ("/admin/reports", "Audit reports"),
        _ when action.Contains("sender", StringComparison.OrdinalIgnoreCase) => ("/admin/senders", "Senders"),
        _ when action.Contains("user", StringComparison.OrdinalIgnoreCase) || action.Contains("role", StringComparison.OrdinalIgnoreCase) => ("/admin/users", "Users"),
        _ => null,
    };

    public async Task<IActionResult> OnPostCheckAsync(CancellationToken cancellationToken)
    {
        var report = await monitor.RefreshAsync(cancellationToken);
        Done = $"Checked now: {report.Summary}.";
        return RedirectToPage();
    }
}
