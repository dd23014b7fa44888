using Microsoft.Extensions.Configuration;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Signing;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Integrity;

/// <summary>
/// A chain's several instances on one database (issue 14), each with its own data folder: the heads each signs, what
/// verify on one of them proves, and the schedulers of two instances never both signing one head.
/// </summary>
public class ChainInstancesTests
{
    // A fresh array each time: loading the key clears the password it was given.
    private static char[] Password => "synthetic-chain-password-1".ToCharArray();

    [Test]
    [Property("Rule", "1311.215(a)(5)")]
    public async Task Verify_on_one_instance_warns_of_the_heads_another_instance_signed_and_finds_nothing_missing()
    {
        using var folder = new TempFolder();
        await using var a = await ChainInstance.StartAsync(folder, "pharmacy-a", secondFolder: null);
        await using var b = await ChainInstance.StartAsync(folder, "pharmacy-b", secondFolder: null);

        await a.AppendAsync("written on a");
        var signedByA = await a.Heads.SignAsync(CancellationToken.None);
        await b.AppendAsync("written on b");
        var signedByB = await b.Heads.SignAsync(CancellationToken.None);
        var report = await a.Get<ArchiveVerifier>().VerifyTrailAsync(CancellationToken.None);

        Assert.That(report.Problems, Is.Empty, "a head of another instance is not a head this instance lost");
        Assert.That(report.Warnings, Has.Exactly(1).Contains($"signed head {signedByB!.Sequence}").And.Contains("instance pharmacy-b"));
        Assert.That(report.Truncation, Does.Contain($"no truncation provable beyond head {signedByA!.Sequence} "));
        Assert.That(signedByB.Instance, Is.EqualTo("pharmacy-b"));
        Assert.That(await a.SigningDetailsAsync(), Does.Contain($"sequence={signedByB.Sequence}; hash={signedByB.Hash}; instance=pharmacy-b"));
    }

    [Test]
    [Property("Rule", "1311.215(a)(5)")]
    public async Task The_shared_second_folder_lets_each_instance_prove_the_heads_of_the_other()
    {
        using var folder = new TempFolder();
        var shared = folder.File("second");
        await using var a = await ChainInstance.StartAsync(folder, "pharmacy-a", shared);
        await using var b = await ChainInstance.StartAsync(folder, "pharmacy-b", shared);

        await a.AppendAsync("written on a");
        await a.Heads.SignAsync(CancellationToken.None);
        await b.AppendAsync("written on b");
        var signedByB = await b.Heads.SignAsync(CancellationToken.None);
        var report = await a.Get<ArchiveVerifier>().VerifyTrailAsync(CancellationToken.None);

        Assert.That(report.Problems, Is.Empty);
        Assert.That(report.Warnings, Is.Empty, "b's head is checked through its copy in the second folder");
        Assert.That(report.Truncation, Does.Contain($"no truncation provable beyond head {signedByB!.Sequence} "));
    }

    [Test]
    [Property("Rule", "1311.215(a)(5)")]
    public async Task A_head_this_instance_signed_whose_file_is_gone_still_fails_beside_another_instance()
    {
        using var folder = new TempFolder();
        await using var a = await ChainInstance.StartAsync(folder, "pharmacy-a", secondFolder: null);
        await using var b = await ChainInstance.StartAsync(folder, "pharmacy-b", secondFolder: null);

        await a.AppendAsync("written on a");
        var signedByA = await a.Heads.SignAsync(CancellationToken.None);
        await b.AppendAsync("written on b");
        await b.Heads.SignAsync(CancellationToken.None);
        File.Delete(a.Heads.PathOf(signedByA!.Sequence));
        var report = await a.Get<ArchiveVerifier>().VerifyTrailAsync(CancellationToken.None);

        Assert.That(report.Problems, Has.Exactly(1).Contains($"signed head {signedByA.Sequence}").And.Contains("it was deleted"));
    }

    [Test]
    [Property("Rule", "1311.215(a)(5)")]
    public async Task Two_instances_signing_at_once_sign_each_head_once()
    {
        using var folder = new TempFolder();
        await using var a = await ChainInstance.StartAsync(folder, "pharmacy-a", secondFolder: null);
        await using var b = await ChainInstance.StartAsync(folder, "pharmacy-b", secondFolder: null);

        for (var round = 0; round < 20; round++)
        {
            await a.AppendAsync($"round {round}");
            await Task.WhenAll(Task.Run(() => a.Heads.SignAsync(CancellationToken.None)), Task.Run(() => b.Heads.SignAsync(CancellationToken.None)));
        }
        var signings = (await a.SigningDetailsAsync()).Select(d => d[..d.IndexOf(';', StringComparison.Ordinal)]).ToList();

        Assert.That(signings, Has.Count.EqualTo(20));
        Assert.That(signings, Is.Unique);
    }

    /// <summary>One instance: its own data folder and configuration, the chain's one database file and key.</summary>
    private sealed class ChainInstance : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        private ChainInstance(ServiceProvider services) => _services = services;

        public ChainHeads Heads => Get<ChainHeads>();

        public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

        public static async Task<ChainInstance> StartAsync(TempFolder folder, string name, string? secondFolder)
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
            var key = PharmacySigningKey.Load(data.KeyPath, data.CertificatePath, Password);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Service:InstanceName"] = name,
                ["Backup:SecondFolder"] = secondFolder,
            }).Build();
            var services = new ServiceCollection().AddLogging().AddReceiving(configuration, data, key);
            // One database for both, as SQL Server is for a chain: the last registration wins.
            services.AddSingleton<ISqlDialect>(new SqliteDialect(folder.File("chain.db")));
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
}
