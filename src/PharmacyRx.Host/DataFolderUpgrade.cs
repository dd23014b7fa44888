using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Keys;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Prescriptions;

namespace PharmacyRx.Host;

/// <summary>
/// Brings a data folder up to date: the schema scripts in order, rows derived from the archive, and the key history of
/// an installation from before key histories.
/// </summary>
public static class DataFolderUpgrade
{
    public static async Task RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<SchemaMigrator>().MigrateAsync(cancellationToken);
        await services.GetRequiredService<PrescriptionBackfill>().RunAsync(cancellationToken);
        await WriteKeyHistoryAsync(services.GetRequiredService<DataFolder>(), services.GetRequiredService<BackupOptions>().SecondFolder, cancellationToken);
    }

    // Its one certificate becomes the first of the history: the pin is that certificate's thumbprint, as init recorded it
    // in the audit trail (SystemInitialized). Taken from the data folder as it is now, so only the audit trail, or
    // openssl on a copy of the certificate kept elsewhere, confirms it.
    private static async Task WriteKeyHistoryAsync(DataFolder data, string? secondFolder, CancellationToken cancellationToken)
    {
        if (!File.Exists(data.KeyHistoryPath) && Directory.Exists(data.KeysFolder)
            && PharmacyKeyHistory.Read(data.KeyHistoryPath, data.CertificatePath, out _) is { } history)
        {
            await PharmacyKeyHistory.SaveAsync(history, data, secondFolder, cancellationToken);
        }
    }
}
