using PharmacyRx.Storage;
using PharmacyRx.Storage.Retrieval;

namespace PharmacyRx.Host;

/// <summary>Brings a data folder's database up to date: the schema scripts in order, then rows derived from the archive.</summary>
public static class DataFolderUpgrade
{
    public static async Task RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<SchemaMigrator>().MigrateAsync(cancellationToken);
        await services.GetRequiredService<PrescriptionBackfill>().RunAsync(cancellationToken);
    }
}
