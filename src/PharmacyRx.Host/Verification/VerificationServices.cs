using PharmacyRx.Core.Verification;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Verification;

namespace PharmacyRx.Host.Verification;

/// <summary>Checking a practitioner's signature on receipt: trust anchors, CRLs and their fetching, and the recheck of pending ones (1311.210(c)).</summary>
public static class VerificationServices
{
    public static IServiceCollection AddVerification(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<VerificationOptions>(configuration, "Verification");
        services.AddSingleton(provider => provider.GetRequiredService<VerificationOptions>().AllowSha1
            ? AlgorithmPolicy.Production with { AllowSha1 = true }
            : AlgorithmPolicy.Production);
        services.AddSingleton<TrustAdministration>();
        services.AddSingleton<TrustStore>();
        services.AddSingleton<CrlStore>();
        services.AddSingleton<VerificationEventStore>();
        services.AddSingleton<CrlCache>();
        services.AddSingleton(provider => new HttpCrlFetcher(
            // One long-lived client; Polly bounds each attempt, so the client's own timeout is off.
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan },
            provider.GetRequiredService<VerificationOptions>(),
            provider.GetRequiredService<CrlStore>(),
            provider.GetRequiredService<AuditLog>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<HttpCrlFetcher>>()));
        services.AddSingleton<ICrlFetcher>(provider => provider.GetRequiredService<HttpCrlFetcher>());
        services.AddSingleton<PrescriptionVerifier>();
        services.AddSingleton<SignatureVerification>();
        // Signs what it rechecks: only an entry point holding the pharmacy key resolves it.
        services.AddSingleton<PendingRecheck>();
        return services;
    }

    /// <summary>CRLs refreshed ahead of nextUpdate, and pending prescriptions rechecked.</summary>
    public static IServiceCollection AddVerificationWork(this IServiceCollection services)
    {
        services.AddSingleton<VerificationMaintenance>();
        services.AddHostedService(provider => provider.GetRequiredService<VerificationMaintenance>());
        return services;
    }
}
