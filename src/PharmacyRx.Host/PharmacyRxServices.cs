using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Access;
using PharmacyRx.Host.Audit;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Clock;
using PharmacyRx.Host.Compliance;
using PharmacyRx.Host.Dispensing;
using PharmacyRx.Host.Export;
using PharmacyRx.Host.Health;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Keys;
using PharmacyRx.Host.Operations;
using PharmacyRx.Host.Prescriptions;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Host.Verification;
using PharmacyRx.Host.WebConsole;

namespace PharmacyRx.Host;

/// <summary>
/// The one composition root. Every entry point (<c>serve</c>, each verb, the tests and the benchmarks) registers the
/// features here, one <c>AddX</c> per feature, each kept in that feature's folder.
/// </summary>
public static class PharmacyRxServices
{
    /// <summary>
    /// The features' services, shared by <c>serve</c> and the verbs. Without <paramref name="signingKey"/> nothing can be
    /// signed; with only <paramref name="chainKeys"/> a verb may still append keyed audit events.
    /// </summary>
    public static IServiceCollection AddPharmacyRx(
        this IServiceCollection services, IConfiguration configuration, DataFolder data, PharmacySigningKey? signingKey,
        ChainKeyRing? chainKeys = null, Func<string, string?>? environment = null)
    {
        services.AddSingleton(data);
        services.AddSingleton(TimeProvider.System);
        services.AddPharmacyClock(configuration);
        services.AddStorage(configuration, data);
        services.AddKeys(data, signingKey, chainKeys);
        services.AddAudit();
        services.AddAccess();
        services.AddReceiving(configuration);
        services.AddPrescriptions();
        services.AddDispensing(configuration);
        services.AddVerification(configuration);
        services.AddIntegrity(configuration);
        services.AddBackup(configuration);
        services.AddExport();
        services.AddCompliance(configuration, environment ?? (_ => null));
        services.AddOperationsMetrics(configuration);
        return services;
    }

    /// <summary>The running service: the features, their background work, and the doors (HTTP API, console, inbox).</summary>
    public static WebApplicationBuilder AddPharmacyRxService(
        this WebApplicationBuilder builder, DataFolder data, PharmacySigningKey signingKey, Func<string, string?> environment)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddPharmacyRx(configuration, data, signingKey, environment: environment);
        services.AddReceivingWork(configuration);
        services.AddPrescriptionsWork();
        services.AddVerificationWork();
        services.AddIntegrityWork();
        services.AddAuditWork();
        services.AddBackupWork();
        services.AddClockWork();
        services.AddComplianceWork();
        services.AddReadinessChecks();
        services.AddProblemDetails();
        services.AddPharmacyAccess(configuration);
        services.AddPharmacyConsole(configuration);
        services.AddOpenApi(options => options.DescribePharmacyDates());
        builder.AddInboundDoor();
        return builder;
    }
}
