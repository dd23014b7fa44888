using Microsoft.Extensions.Configuration;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Testing;
using PharmacyRx.Host.Keys;

namespace PharmacyRx.Host.Tests.Integrity;

/// <summary>
/// One instance of a chain composed as the service composes it (<see cref="ReceivingServices"/>): its own data folder and
/// configuration, the chain's one database file (here SQLite, standing for the chain's SQL Server; <c>dialect</c> may wrap
/// it) and key.
/// </summary>
internal sealed class ChainInstance : IAsyncDisposable
{
    // A fresh array each time: loading the key clears the password it was given.
    private static char[] Password => "synthetic-chain-password-1".ToCharArray();

    private readonly ServiceProvider _services;

    private ChainInstance(ServiceProvider services) => _services = services;

    public ChainHeads Heads => Get<ChainHeads>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public static async Task<ChainInstance> StartAsync(TempFolder folder, string name, string? secondFolder, Func<ISqlDialect, ISqlDialect>? dialect = null)
    {
        var data = new DataFolder(folder.File(name));
        Directory.CreateDirectory(data.KeysFolder);
        // The chain's key, as each instance's data folder holds a copy of it.
        var first = new DataFolder(folder.File("keys"));
        if (!File.Exists(first.KeyPath))
        {
            Directory.CreateDirectory(first.KeysFolder);
            using var generated = PharmacySigningKey.Generate("Synthetic Chain Pharmacy", DateTimeOffset.UtcNow);
            generated.Save(first.KeyPath, first.CertificatePath, Password);
        }
        File.Copy(first.KeyPath, data.KeyPath);
        File.Copy(first.CertificatePath, data.CertificatePath);
        var key = PharmacyKeyFiles.Load(data.KeyPath, data.CertificatePath, Password);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Service:InstanceName"] = name,
            ["Backup:SecondFolder"] = secondFolder,
        }).Build();
        var services = new ServiceCollection().AddLogging().AddPharmacyRx(configuration, data, key);
        // One database for both, as SQL Server is for a chain: the last registration wins.
        services.AddSingleton((dialect ?? (d => d))(new SqliteDialect(folder.File("chain.db"))));
        var instance = new ChainInstance(services.BuildServiceProvider());
        await instance.Get<SchemaMigrator>().MigrateAsync(CancellationToken.None);
        return instance;
    }

    public Task AppendAsync(string details) => Get<AuditLog>().AppendAsync(
        [new AuditEvent(DateTimeOffset.UtcNow, AuditEventTypes.UserCreated, "test:chain", AuditOutcome.Success, "someone", details)],
        CancellationToken.None);

    public async Task<List<string>> SigningDetailsAsync()
    {
        var details = new List<string>();
        await foreach (var stored in Get<AuditLog>().ReadAllAsync(CancellationToken.None))
        {
            if (stored.Event.Type == AuditEventTypes.ChainHeadSigned)
            {
                details.Add(stored.Event.Details);
            }
        }
        return details;
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
