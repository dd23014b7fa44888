using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Keys;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Integrity;

/// <summary>The signed chain heads and the verifier of the archive and the chain (1311.215(a)(5), 1311.305).</summary>
public static class IntegrityServices
{
    public static IServiceCollection AddIntegrity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<ChainHeadOptions>(configuration, "Audit");
        services.AddSettings<ServiceOptions>(configuration, "Service");
        services.AddSingleton(provider => new ChainHeads(provider.GetRequiredService<AuditLog>(), provider.GetRequiredService<Database>(),
            provider.GetService<PharmacySigningKey>(), provider.GetRequiredService<DataFolder>(), provider.GetRequiredService<BackupOptions>(),
            provider.GetRequiredService<PharmacyKeyHistory>(), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ServiceOptions>(),
            provider.GetRequiredService<SecondFolderCopies>()));
        services.AddSingleton<ArchiveVerifier>();
        return services;
    }

    /// <summary>A head signed every few minutes or events.</summary>
    public static IServiceCollection AddIntegrityWork(this IServiceCollection services) => services.AddHostedService<ChainHeadScheduler>();
}
