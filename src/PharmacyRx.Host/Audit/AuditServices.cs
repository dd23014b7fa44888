using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Compliance;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Audit;

/// <summary>The audit trail, its incidents and the daily report (1311.215).</summary>
public static class AuditServices
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        services.AddSingleton<IIncidentReportPage, IncidentReportPage>();
        services.AddSingleton<IncidentStore>();
        services.AddSingleton(provider => new AuditReporter(
            provider.GetRequiredService<AuditLog>(), provider.GetService<PharmacySigningKey>(), provider.GetRequiredService<DataFolder>(),
            provider.GetRequiredService<Core.Clock.PharmacyClock>(), provider.GetRequiredService<ChainHeads>(), provider.GetRequiredService<SecondFolderCopies>(),
            // Resolved when a report is written: the compliance report itself reads the audit reports.
            async cancellationToken => provider.GetService<ComplianceReporter>() is { } compliance
                ? (await compliance.BuildAsync(testResults: null, cancellationToken)).Summary
                : null,
            provider.GetRequiredService<IncidentStore>()));
        return services;
    }

    /// <summary>The daily report, written after the pharmacy's midnight.</summary>
    public static IServiceCollection AddAuditWork(this IServiceCollection services) => services.AddHostedService<AuditReportScheduler>();
}
