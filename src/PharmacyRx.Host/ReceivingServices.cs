using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Signing;
using PharmacyRx.Core.Verification;
using PharmacyRx.Host.Access;
using PharmacyRx.Host.Api;
using PharmacyRx.Host.Audit;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Clock;
using PharmacyRx.Host.Export;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Keys;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Host.Verification;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Access;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Dispensing;
using PharmacyRx.Storage.Export;
using PharmacyRx.Storage.Retrieval;
using PharmacyRx.Storage.Senders;
using PharmacyRx.Storage.Verification;


namespace PharmacyRx.Host;

/// <summary>The services behind every entry point, shared by <c>serve</c> and the command-line verbs.</summary>
public static class ReceivingServices
{
    public static IServiceCollection AddReceiving(
        this IServiceCollection services, IConfiguration configuration, DataFolder data, PharmacySigningKey? signingKey, ChainKeyRing? chainKeys = null)
    {
        services.AddSingleton(data);
        services.AddSingleton(TimeProvider.System);
        services.AddPharmacyClock(configuration);
        // Bound when first used, so configuration added after registration (tests, hosting) still applies.
        services.AddSingleton(_ => configuration.GetSection("Receiving").Get<ScriptReaderOptions>() ?? new ScriptReaderOptions());
        services.AddSingleton(_ => configuration.GetSection("Archive").Get<ArchiveWriterOptions>() ?? new ArchiveWriterOptions());
        services.AddSingleton<ScriptMessageReader>();
        services.AddSingleton(StorageProvider.CreateDialect(configuration, data));
        services.AddSingleton<Database>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<ArchiveQueries>();
        services.AddSingleton(provider => new SenderStore(provider.GetRequiredService<Database>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AuditLog>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<AccessStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<UserPasswords>();
        services.AddSingleton<UserAdministration>();
        services.AddSingleton<AccessRequests>();
        services.AddSingleton<AccessApprovals>();
        services.AddSingleton(_ => configuration.GetSection("Dispensing").Get<DispensingOptions>() ?? new DispensingOptions());
        services.AddSingleton<PharmacyWorkStore>();
        services.AddSingleton<PrescriptionSearch>();
        services.AddSingleton<PatientSearchIndex>();
        services.AddSingleton<PrescriptionBackfill>();
        services.AddSingleton<PrescriptionDetails>();
        services.AddSingleton<ExportQuery>();
        services.AddSingleton<InspectorExport>();
        services.AddSingleton<PrescriptionViews>();
        services.AddSingleton<Verification.TrustAdministration>();
        services.AddSingleton<TrustStore>();
        services.AddSingleton<CrlStore>();
        services.AddSingleton<VerificationEventStore>();
        services.AddSingleton<IncidentStore>();
        services.AddVerification(configuration);
        services.AddSingleton(_ => configuration.GetSection("Backup").Get<BackupOptions>() ?? new BackupOptions());
        services.AddSingleton(provider => new AuditReporter(
            provider.GetRequiredService<AuditLog>(), provider.GetService<PharmacySigningKey>(), data, provider.GetRequiredService<PharmacyClock>(),
            provider.GetRequiredService<ChainHeads>(),
            provider.GetRequiredService<SecondFolderCopies>(),
            // Resolved when a report is written: the compliance report itself reads the audit reports.
            async cancellationToken => provider.GetService<Compliance.ComplianceReporter>() is { } compliance
                ? (await compliance.BuildAsync(testResults: null, cancellationToken)).Summary
                : null,
            provider.GetRequiredService<IncidentStore>()));
        // The pharmacy's own certificates, pinned by the copy in Backup:SecondFolder when there is one; `verify --pin` replaces it.
        services.AddSingleton(provider => PharmacyKeyHistory.Load(data, provider.GetRequiredService<BackupOptions>().SecondFolder, pin: null));
        services.AddSingleton(_ => configuration.GetSection("Audit").Get<ChainHeadOptions>() ?? new ChainHeadOptions());
        services.AddSingleton(_ => configuration.GetSection("Service").Get<ServiceOptions>() ?? new ServiceOptions());
        services.AddSingleton(provider => new ChainHeads(provider.GetRequiredService<AuditLog>(), provider.GetRequiredService<Database>(),
            provider.GetService<PharmacySigningKey>(), data, provider.GetRequiredService<BackupOptions>(), provider.GetRequiredService<PharmacyKeyHistory>(),
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ServiceOptions>(), provider.GetRequiredService<SecondFolderCopies>()));
        services.AddSingleton<SecondFolderCopies>();
        services.AddSingleton<ArchiveVerifier>();
        services.AddOptions<FreeSpaceOptions>().Bind(configuration.GetSection("Storage:FreeSpace")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<FreeSpaceMonitor>();
        services.AddSingleton<IngestRefusals>();
        if (signingKey is not null)
        {
            // Registered by factory so the container disposes (clears) the key when the service stops (1311.205(b)(4)(iv)).
            services.AddSingleton(_ => signingKey);
            // 1311.205(b)(16): the audit chain's key comes with the pharmacy key; without it nothing can be appended.
            services.AddSingleton(_ => new ChainKeyRing(ChainKey.Derive(signingKey)));
            services.AddSingleton<ArchiveWriter>();
            services.AddSingleton<ReceiptPipeline>();
            services.AddSingleton<PendingRecheck>();
            services.AddSingleton<BackupService>();
        }
        else if (chainKeys is not null)
        {
            // A verb that writes without signing (users, senders, trust, export): it appends keyed events all the same.
            services.AddSingleton(_ => chainKeys);
        }
        return services;
    }

    private static void AddVerification(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => configuration.GetSection("Verification").Get<VerificationOptions>() ?? new VerificationOptions());
        services.AddSingleton(provider => provider.GetRequiredService<VerificationOptions>().AllowSha1
            ? AlgorithmPolicy.Production with { AllowSha1 = true }
            : AlgorithmPolicy.Production);
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
    }
}
