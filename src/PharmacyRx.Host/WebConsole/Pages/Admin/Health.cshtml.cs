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

    /// <summary>A check's name as pharmacy IT reads it; a name not listed (a library's own check) is labelled from its words.</summary>
    public static string Name(string check) => check switch
    {
        "database" => "Database",
        "clock" => "Clock",
        "crls" => "Certificate revocation lists",
        "backup" => "Daily backup",
        "auditReport" => "Daily audit report",
        "fileModes" => "File permissions",
        "freeSpace" => "Free disk space",
        "secondFolder" => "Second backup folder",
        "compliance" => "Compliance self-report",
        "securityIncidents" => "Security incidents",
        "masstransit-bus" => "Message broker (RabbitMQ)",
        _ => Words.Label(check.Replace('-', ' ')),
    };
}
