using System.Net;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Cli;
using PharmacyRx.Host.Tests.Api;
using PharmacyRx.Host.Tests.Messaging;
using PharmacyRx.Testing;
using RabbitMQ.Client;

namespace PharmacyRx.Host.Tests.Storage;

/// <summary>
/// The data folder on a 12 MB file system filled while senders send: a full disk is never a verdict on a message. Nothing
/// is archived as Rejected, every refusal hands the message back (503 with Retry-After, no ack, the inbox file left), and
/// once space returns every message is archived exactly once and <c>verify</c> holds.
/// </summary>
[NonParallelizable]
public class FullDiskTests
{
    private static Dictionary<string, string?> Settings(long hardBytes) => new()
    {
        // The smaller of the percentage and the bytes applies: 100% leaves the byte count in charge on a 12 MB disk.
        ["Storage:FreeSpace:HardPercent"] = "100",
        ["Storage:FreeSpace:HardBytes"] = hardBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Storage:FreeSpace:WarningPercent"] = "100",
        ["Storage:FreeSpace:WarningBytes"] = (hardBytes + 2_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Storage:FreeSpace:ReadingLifetime"] = "00:00:00",
        ["Inbound:PermitsPerSecond"] = "100000",
        ["Inbound:Burst"] = "100000",
        ["Inbox:PollInterval"] = "00:00:00.200",
        ["Inbox:SettleTime"] = "00:00:00",
        ["Backup:Enabled"] = "false",
    };

    // 0: the free-space guard is off, so SQLite itself meets the full disk (SQLITE_FULL); 1 MB: the guard refuses first.
    [TestCase(0L)]
    [TestCase(1_000_000L)]
    public async Task A_sender_posting_while_the_disk_fills_gets_503s_and_every_message_is_archived_once_after_space_returns(long hardBytes)
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var key = await pharmacy.AddSenderAsync("gateway");
        var monitoringKey = await pharmacy.MonitoringKeyAsync();
        using var disk = await SmallFileSystem.MountUnderAsync(pharmacy);
        var prefix = $"FULL-{hardBytes}-";
        var sent = new List<byte[]>();
        var refused = new List<byte[]>();
        var statuses = new List<HttpStatusCode>();
        await using (var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration.AddInMemoryCollection(Settings(hardBytes))))
        {
            using var http = service.Client(key);
            using var monitoring = InstalledPharmacy.Monitoring(service.Client(), monitoringKey);
            async Task PostAsync()
            {
                var body = new SyntheticNewRx { MessageId = $"{prefix}{sent.Count + 1:D4}" }.ToBytes();
                sent.Add(body);
                using var response = await http.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(body));
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    Assert.That(response.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero), "a 503 says when to send again");
                    refused.Add(body);
                }
            }
            for (var i = 0; i < 20; i++)
            {
                await PostAsync();
            }
            Assert.That(refused, Is.Empty, "accepted while there is space");

            // SQLite first fills the room its WAL already holds; the ballast takes back whatever is freed after each
            // message, so the disk stays full until the database meets it (or the guard refuses first).
            disk.Fill();
            while (refused.Count == 0 && sent.Count < 600)
            {
                await PostAsync();
                disk.Fill();
            }
            Assert.That(refused, Is.Not.Empty, "the full disk was met within 600 messages");
            using (var ready = await monitoring.GetAsync("/health/ready"))
            {
                var checks = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
                Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "readiness is Unhealthy while messages are refused");
                Assert.That(checks.GetProperty("freeSpace").GetProperty("description").GetString(), Does.Contain("refused").Or.Contain("below the hard threshold"));
            }
            for (var i = 0; i < 5; i++)
            {
                await PostAsync();
            }

            disk.Free();
            foreach (var body in refused)
            {
                Assert.That(await SendUntilAcceptedAsync(http, body), Is.True, "sent again after space returned");
            }
            await WaitForRefusalPeriodAsync(pharmacy);
        }

        Assert.That(statuses, Is.All.AnyOf(HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable), "no 500, no Rejected answer");
        await AssertArchivedOnceAsync(pharmacy, sent.Count, prefix);
        var verify = await pharmacy.RunAsync("verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output + verify.Error);
    }

    [Test]
    public async Task Inbox_files_dropped_while_the_disk_is_full_stay_until_space_returns_and_are_archived_once()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        using var disk = await SmallFileSystem.MountUnderAsync(pharmacy);
        // Written before the disk fills, on the same file system, so dropping them in the inbox is a rename that needs no space.
        var staging = Path.Combine(pharmacy.Data.Root, "staging");
        Directory.CreateDirectory(staging);
        for (var i = 1; i <= 30; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(staging, $"INBOX-{i:D4}.xml"), new SyntheticNewRx { MessageId = $"INBOX-{i:D4}" }.ToBytes());
        }
        await using (var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration.AddInMemoryCollection(Settings(1_000_000))))
        {
            Directory.CreateDirectory(pharmacy.Data.Inbox);
            disk.Fill();
            foreach (var file in Directory.GetFiles(staging))
            {
                File.Move(file, Path.Combine(pharmacy.Data.Inbox, Path.GetFileName(file)));
            }
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.That(Directory.GetFiles(pharmacy.Data.Inbox, "*.xml"), Has.Length.EqualTo(30), "every file stays in the inbox while the disk is full");
            Assert.That(Directory.GetFiles(pharmacy.Data.Inbox, "*", SearchOption.AllDirectories), Has.Length.EqualTo(30), "nothing archived, nothing refused");

            disk.Free();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (Directory.GetFiles(pharmacy.Data.Inbox, "*.xml").Length > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
            Assert.That(Directory.GetFiles(pharmacy.Data.Inbox, "*.xml"), Is.Empty, "every file archived after space returned");
            Assert.That(Directory.GetFiles(Path.Combine(pharmacy.Data.Inbox, "archived")), Has.Length.EqualTo(30));
            await WaitForRefusalPeriodAsync(pharmacy);
        }
        await AssertArchivedOnceAsync(pharmacy, 30, "INBOX-");
        var verify = await pharmacy.RunAsync("verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output + verify.Error);
    }

    [Test]
    public async Task Ingest_on_a_full_disk_exits_non_zero_naming_the_fault_and_archives_nothing_as_rejected()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        using var disk = await SmallFileSystem.MountUnderAsync(pharmacy);
        var message = new SyntheticNewRx { MessageId = "INGEST-FULL-0001" };

        disk.Fill();
        var refused = await pharmacy.IngestAsync(message);
        disk.Free();
        var again = await pharmacy.IngestAsync(message);

        Assert.That(refused.ExitCode, Is.EqualTo(PharmacyRxCommandLine.StorageFaultExit), refused.Output + refused.Error);
        Assert.That(refused.Error, Does.Contain("storage fault: disk full"));
        Assert.That(refused.JsonLines.Select(line => line.GetProperty("status").GetString()), Is.All.EqualTo("NotArchived"));
        Assert.That(again.ExitCode, Is.Zero, again.Output + again.Error);
        Assert.That(again.JsonLines.Single().GetProperty("status").GetString(), Is.Not.EqualTo("Rejected"));
        await AssertArchivedOnceAsync(pharmacy, 1, "INGEST-FULL-");
    }

    [Test]
    public async Task A_full_second_folder_never_stops_receiving_and_its_copies_are_made_once_space_returns()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var key = await pharmacy.AddSenderAsync("gateway");
        var monitoringKey = await pharmacy.MonitoringKeyAsync();
        using var second = new TempFolder();
        using var disk = await SmallFileSystem.MountOverAsync(second.Path, "1m");
        disk.Fill();
        var heads = Path.Combine(pharmacy.Data.Root, "heads");
        await using (var service = await RunningService.StartAsync(pharmacy, builder =>
        {
            builder.Configuration["Audit:HeadInterval"] = "00:00:01";
            builder.Configuration["Backup:SecondFolder"] = second.Path;
            builder.Configuration["Backup:SecondFolderRetry"] = "00:00:01";
        }))
        {
            using var http = service.Client(key);
            using var monitoring = InstalledPharmacy.Monitoring(service.Client(), monitoringKey);
            for (var i = 1; i <= 10; i++)
            {
                using var response = await http.PostAsync("/api/inbound",
                    SenderAuthenticationTests.Xml(new SyntheticNewRx { MessageId = $"SECOND-FULL-{i:D4}" }.ToBytes()));
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), "receiving goes on");
            }
            var signed = await WaitForAsync(() => Directory.Exists(heads) ? Directory.GetFiles(heads, "head-*.json") : []);
            Assert.That(signed, Is.Not.Empty, "a head was signed");
            var behind = await WaitForAsync(async () => await SecondFolderCheckAsync(monitoring) is ("Degraded", var why) ? why : null);
            Assert.That(behind, Does.Contain(Path.GetFileName(signed[0])), "health names the copy not yet made");
            Assert.That(File.Exists(Path.Combine(second.Path, "heads", Path.GetFileName(signed[0]))), Is.False);

            disk.Free();
            var healthy = await WaitForAsync(async () => await SecondFolderCheckAsync(monitoring) is ("Healthy", var why) ? why : null);
            Assert.That(healthy, Is.Not.Null, "every copy made once space returned");
            Assert.That(File.Exists(Path.Combine(second.Path, "heads", Path.GetFileName(signed[0]))), Is.True, "the head is copied");
            Assert.That(Directory.GetFileSystemEntries(Path.Combine(second.Path, "heads"), SecondFolderCopies.PartialPrefix + "*"), Is.Empty,
                "no copy cut short is left");
        }
        await AssertArchivedOnceAsync(pharmacy, 10, "SECOND-FULL-");
    }

    [Test]
    public async Task Raw_queue_messages_sent_while_the_disk_is_full_are_held_not_dead_lettered_and_archived_once_after_space_returns()
    {
        var broker = TestBroker.Require();
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        using var disk = await SmallFileSystem.MountUnderAsync(pharmacy);
        var settings = Settings(1_000_000);
        foreach (var (name, value) in broker.Settings)
        {
            settings[name] = value;
        }
        await using var connection = await broker.ConnectAsync();
        var channel = await TestBroker.ConfirmingChannelAsync(connection);
        await using (var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration.AddInMemoryCollection(settings)))
        {
            await TestBroker.WaitForQueueAsync(connection, broker.InboundQueue, TimeSpan.FromSeconds(30));
            for (var i = 1; i <= 40; i++)
            {
                if (i == 11)
                {
                    disk.Fill();
                }
                await TestBroker.PublishRawAsync(channel, broker.InboundQueue, new SyntheticNewRx { MessageId = $"AMQP-FULL-{i:D4}" }.ToBytes());
            }
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.That(await channel.MessageCountAsync(broker.ErrorQueue), Is.Zero, "nothing dead-lettered for a full disk");

            disk.Free();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while ((await ReadAsync<long>(pharmacy, "SELECT COUNT(*) FROM prescription_archive WHERE message_id LIKE 'AMQP-FULL-%'")).Single() < 40
                && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
            Assert.That(await channel.MessageCountAsync(broker.ErrorQueue), Is.Zero, "nothing dead-lettered");
            await broker.DeleteAsync(channel);
        }
        await AssertArchivedOnceAsync(pharmacy, 40, "AMQP-FULL-");
        var verify = await pharmacy.RunAsync("verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output + verify.Error);
    }

    private static async Task<bool> SendUntilAcceptedAsync(HttpClient http, byte[] body)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var again = await http.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(body));
            if (again.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
            {
                return true;
            }
            await Task.Delay(200);
        }
        return false;
    }

    // The refusal period is audited from the memory of the service once the database takes writes again.
    private static async Task WaitForRefusalPeriodAsync(InstalledPharmacy pharmacy)
    {
        var found = await WaitForAsync(async () =>
        {
            var events = await ReadAsync<string>(pharmacy, "SELECT event_type FROM audit_events WHERE event_type IN ('IngestRefused', 'IngestResumed')");
            return events.Contains("IngestRefused") && events.Contains("IngestResumed") ? events : null;
        });
        Assert.That(found, Is.Not.Null, "the period of refusal is audited (IngestRefused, IngestResumed)");
    }

    private static async Task<(string Status, string Description)> SecondFolderCheckAsync(HttpClient http)
    {
        using var ready = await http.GetAsync("/health/ready");
        var check = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("secondFolder");
        return (check.GetProperty("status").GetString()!, check.GetProperty("description").GetString() ?? "");
    }

    private static async Task<T?> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            if (DateTime.UtcNow > deadline)
            {
                return null;
            }
            await Task.Delay(200);
        }
    }

    private static Task<string[]> WaitForAsync(Func<string[]> files) =>
        WaitForAsync<string[]>(() => Task.FromResult<string[]?>(files() is { Length: > 0 } found ? [.. found.Order()] : null))!;

    private static async Task AssertArchivedOnceAsync(InstalledPharmacy pharmacy, int expected, string prefix)
    {
        var rows = await ReadAsync<(string MessageId, string Status)>(pharmacy,
            $"SELECT message_id AS MessageId, status AS Status FROM prescription_archive WHERE message_id LIKE '{prefix}%' OR status = 'Rejected'");
        Assert.That(rows.Where(r => r.Status == "Rejected"), Is.Empty, "nothing archived as Rejected");
        Assert.That(rows.Select(r => r.MessageId).Distinct().Count(), Is.EqualTo(expected),
            "every message archived; in the archive: " + string.Join(", ", await ReadAsync<string>(pharmacy, "SELECT COALESCE(message_id, '-') || ':' || source FROM prescription_archive")));
        Assert.That(rows, Has.Count.EqualTo(expected), "each exactly once");
    }

    private static async Task<List<T>> ReadAsync<T>(InstalledPharmacy pharmacy, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        return [.. await connection.QueryAsync<T>(sql)];
    }
}
