using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Receiving;

namespace PharmacyRx.Host.Receiving;

/// <summary>Receiving: the reader, the archive and its pipeline, the senders, and the refusals a storage fault causes (1311.210).</summary>
public static class ReceivingServices
{
    public static IServiceCollection AddReceiving(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<ScriptReaderOptions>(configuration, "Receiving");
        services.AddSettings<ArchiveWriterOptions>(configuration, "Archive");
        services.AddSingleton<ScriptMessageReader>();
        services.AddSingleton<ArchiveQueries>();
        services.AddSingleton(provider => new SenderStore(provider.GetRequiredService<Database>(), provider.GetRequiredService<TimeProvider>()));
        // These need the pharmacy key: only an entry point that holds it resolves them.
        services.AddSingleton<ArchiveWriter>();
        services.AddSingleton<ReceiptPipeline>();
        services.AddSingleton<IngestRefusals>();
        services.AddSingleton<HeldMessages>();
        return services;
    }

    /// <summary>The inbox folder's watcher and the recorder of refusals.</summary>
    public static IServiceCollection AddReceivingWork(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<InboxOptions>(configuration, "Inbox");
        services.AddSingleton<InboxWatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<InboxWatcher>());
        services.AddHostedService<IngestRefusalRecorder>();
        return services;
    }
}
