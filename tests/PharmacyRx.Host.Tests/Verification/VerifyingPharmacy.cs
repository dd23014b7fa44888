using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Keys;
using PharmacyRx.Core.Verification;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Host.Verification;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Verification;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Verification;

/// <summary>
/// A pharmacy's receiving services composed as the service composes them (<see cref="ReceivingServices"/>), over a
/// SQLite file in a temp folder, with short CRL fetch timeouts so unreachable servers cost the test little.
/// </summary>
internal sealed class VerifyingPharmacy : IAsyncDisposable
{
    private readonly TempFolder? _folder;
    private readonly PharmacySigningKey _key;
    private readonly Dictionary<string, string?> _settings;
    private readonly ServiceProvider _services;

    private VerifyingPharmacy(TempFolder? folder, DataFolder data, PharmacySigningKey key, Dictionary<string, string?> settings)
    {
        _folder = folder;
        _key = key;
        _settings = settings;
        Data = data;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        _services = new ServiceCollection().AddLogging().AddPharmacyRx(configuration, data, key).BuildServiceProvider();
    }

    public DataFolder Data { get; }

    public static async Task<VerifyingPharmacy> CreateAsync(Dictionary<string, string?>? settings = null)
    {
        var folder = new TempFolder();
        var data = new DataFolder(folder.File("data"));
        var key = PharmacySigningKey.Generate("Synthetic Test Pharmacy", DateTimeOffset.UtcNow);
        Directory.CreateDirectory(data.KeysFolder);
        await File.WriteAllTextAsync(data.CertificatePath, key.Certificate.ExportCertificatePem());
        var pharmacy = new VerifyingPharmacy(folder, data, key, new Dictionary<string, string?>
        {
            ["Verification:FetchTimeout"] = "00:00:01",
            ["Verification:FetchRetries"] = "1",
            ["Verification:FetchRetryDelay"] = "00:00:00.050",
            ["Verification:BreakDuration"] = "00:00:30",
        }.Concat(settings ?? []).ToDictionary());
        await pharmacy.Get<SchemaMigrator>().MigrateAsync(CancellationToken.None);
        return pharmacy;
    }

    /// <summary>A second composition over the same data folder and key: a restarted service, its caches and circuits fresh.</summary>
    public static async Task<VerifyingPharmacy> OpenAsync(VerifyingPharmacy existing)
    {
        var pharmacy = new VerifyingPharmacy(folder: null, existing.Data, existing._key, existing._settings);
        await pharmacy.Get<SignatureVerification>().ReloadAsync(CancellationToken.None);
        return pharmacy;
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public async Task TrustAsync(X509Certificate2 certificate, TrustPurpose purpose = TrustPurpose.Anchor)
    {
        await Get<TrustStore>().AddAsync(new TrustedCertificate(
            certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(), purpose, certificate.Subject,
            certificate.NotAfter.ToUniversalTime(), certificate.RawData), "test:it", CancellationToken.None);
        await Get<SignatureVerification>().ReloadAsync(CancellationToken.None);
    }

    public Task<ArchiveResult> ReceiveAsync(SyntheticNewRx message) =>
        Get<ReceiptPipeline>().ReceiveAsync(message.ToBytes(), ReceiptSource.Http, CancellationToken.None);

    public Task<ArchiveResult> ReceiveAsync(byte[] message) =>
        Get<ReceiptPipeline>().ReceiveAsync(message, ReceiptSource.Http, CancellationToken.None);

    public async Task<PendingRecheck.Summary> RecheckAsync()
    {
        await Get<SignatureVerification>().ReloadAsync(CancellationToken.None);
        return await Get<PendingRecheck>().RunAsync(CancellationToken.None);
    }

    public async Task<ArchivedRecord> RecordAsync(Guid receiptId) =>
        (await Get<ArchiveQueries>().FindAsync(receiptId.ToString("D"), CancellationToken.None))!;

    public Task<bool> DispensableAsync(Guid receiptId) =>
        Get<PharmacyRx.Storage.Dispensing.PharmacyWorkStore>().IsDispensableAsync(receiptId, CancellationToken.None);

    public async Task<List<AuditEvent>> AuditAsync(string type)
    {
        var events = new List<AuditEvent>();
        await foreach (var stored in Get<AuditLog>().ReadAllAsync(CancellationToken.None))
        {
            if (stored.Event.Type == type)
            {
                events.Add(stored.Event);
            }
        }
        return events;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_folder is not null)
        {
            _key.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _folder.Dispose();
        }
    }
}
