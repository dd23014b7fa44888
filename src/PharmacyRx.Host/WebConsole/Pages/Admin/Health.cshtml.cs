using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PharmacyRx.Core.Access;

namespace PharmacyRx.Host.WebConsole.Pages.Admin;

/// <summary>The readiness checks <c>/health/ready</c> runs (clock, last backup, last report, CRLs, database, file modes), in words.</summary>
[Authorize(Policy = nameof(Permission.ReadAudit))]
public sealed class HealthModel(HealthCheckService health) : PageModel
{
    public HealthReport? Report { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => Report = await health.CheckHealthAsync(cancellationToken);
}
