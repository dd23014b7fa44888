using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
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

    // 0: the free-space guard is off, so SQLite itself meets the full disk; 1 MB: the guard refuses first.
    [TestCase(0L)]
    [TestCase(1_000_000L)]
    public async Task A_sender_posting_while_the_disk_fills_gets_503s_and_every_message_is_archived_once_after_space_returns(long hardBytes)
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var key = await pharmacy.AddSenderAsync("gateway");
        using var disk = await SmallFileSystem.MountUnderAsync(pharmacy);
        var messages = Enumerable.Range(1, 120).Select(i => new SyntheticNewRx { MessageId = $"FULL-{hardBytes}-{i:D4}" }.ToBytes()).ToArray();
        var refused = new List<byte[]>();
        var statuses = new List<HttpStatusCode>();
        await using (var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration.AddInMemoryCollection(Settings(hardBytes))))
        {
            using var http = service.Client(key);
            for (var i = 0; i < messages.Length; i++)
            {
                if (i == 20)
                {
                    disk.Fill();
                }
                using var response = await http.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(messages[i]));
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    Assert.That(response.Headers.RetryAfter, Is.Not.Null, "a 503 says when to send again");
                    refused.Add(messages[i]);
                }
            }
            if (hardBytes > 0)
            {
                using var ready = await http.GetAsync("/health/ready");
                Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "readiness is Unhealthy while messages are refused");
            }

            disk.Free();
            foreach (var body in refused)
            {
                var sent = false;
                for (var attempt = 0; attempt < 50 && !sent; attempt++)
                {
                    using var again = await http.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(body));
                    sent = again.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK;
                    if (!sent)
                    {
                        await Task.Delay(200);
                    }
                }
                Assert.That(sent, Is.True, "sent again after space returned");
            }
            await Task.Delay(TimeSpan.FromSeconds(3)); // the refusal period's audit events
        }

        Assert.That(statuses, Is.All.AnyOf(HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable), "no 500, no Rejected answer");
        Assert.That(refused, Is.Not.Empty, "the disk filled while the sender posted");
        await AssertArchivedOnceAsync(pharmacy, messages.Length, $"FULL-{hardBytes}-");
        var audit = await ReadAsync<string>(pharmacy, "SELECT event_type FROM audit_events WHERE event_type IN ('IngestRefused', 'IngestResumed')");
        Assert.That(audit, Is.SupersetOf(new[] { "IngestRefused", "IngestResumed" }), "the period of refusal is audited");
        var verify = await pharmacy.RunAsync("verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output + verify.Error);
    }

    [Test]
    public async Task Inbox_files_dropped_while_the_disk_is_full_stay_until_space_returns_and_are_archived_once()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        using var disk = await SmallFileSystem.MountUnderAsync(pharmacy);
        var staging = Path.Combine(pharmacy.Data.Root, "staging");
        Directory.CreateDirectory(staging);
        for (var i = 1; i <= 30; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(staging, $"INBOX-{i:D4}.xml"), new SyntheticNewRx { MessageId = $"INBOX-{i:D4}" }.ToBytes());
        }
        await using (var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration.AddInMemoryCollection(Settings(0))))
        {
            disk.Fill();
            Directory.CreateDirectory(pharmacy.Data.Inbox);
            foreach (var file in Directory.GetFiles(staging))
            {
                File.Move(file, Path.Combine(pharmacy.Data.Inbox, Path.GetFileName(file)));
            }
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.That(Directory.Exists(Path.Combine(pharmacy.Data.Inbox, "refused")) ? Directory.GetFiles(Path.Combine(pharmacy.Data.Inbox, "refused")) : [],
                Is.Empty, "nothing is refused for a full disk");

            disk.Free();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (Directory.GetFiles(pharmacy.Data.Inbox, "*.xml").Length > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
            Assert.That(Directory.GetFiles(pharmacy.Data.Inbox, "*.xml"), Is.Empty, "every file archived after space returned");
        }
        await AssertArchivedOnceAsync(pharmacy, 30, "INBOX-");
        var verify = await pharmacy.RunAsync("verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output + verify.Error);
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
