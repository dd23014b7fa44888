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

    public async Task OnGetAsync(CancellationToken cancellationToken) => Report = monitor.Latest ?? await monitor.RefreshAsync(cancellationToken);

    public async Task<IActionResult> OnPostCheckAsync(CancellationToken cancellationToken)
    {
        var report = await monitor.RefreshAsync(cancellationToken);
        Done = $"Checked now: {report.Summary}.";
        return RedirectToPage();
    }
}
