using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Signing;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Access;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host;

/// <summary>The services behind every entry point, shared by <c>serve</c> and the command-line verbs.</summary>
public static class ReceivingServices
{
    public static IServiceCollection AddReceiving(
        this IServiceCollection services, IConfiguration configuration, DataFolder data, PharmacySigningKey? signingKey)
    {
        services.AddSingleton(data);
        services.AddSingleton(TimeProvider.System);
        // Bound when first used, so configuration added after registration (tests, hosting) still applies.
        services.AddSingleton(_ => configuration.GetSection("Receiving").Get<ScriptReaderOptions>() ?? new ScriptReaderOptions());
        services.AddSingleton(_ => configuration.GetSection("Archive").Get<ArchiveWriterOptions>() ?? new ArchiveWriterOptions());
        services.AddSingleton<ScriptMessageReader>();
        services.AddSingleton<ISqlDialect>(new SqliteDialect(data.DatabasePath));
        services.AddSingleton<Database>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<ArchiveQueries>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<UserStore>();
        services.AddSingleton(provider => new ArchiveVerifier(
            provider.GetRequiredService<ArchiveQueries>(),
            provider.GetRequiredService<AuditLog>(),
            provider.GetRequiredService<ScriptMessageReader>(),
            Directory.EnumerateFiles(data.KeysFolder, "*.crt").Select(PharmacySigningKey.LoadCertificate).ToArray()));
        if (signingKey is not null)
        {
            services.AddSingleton(signingKey);
            services.AddSingleton<ArchiveWriter>();
            services.AddSingleton<ReceiptPipeline>();
        }
        return services;
    }
}
