using System.Net.Http.Headers;
using System.Security.Cryptography;
using Dapper;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using PharmacyRx.Contracts;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Tests.Messaging;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Receiving;

/// <summary>
/// One policy at every door. The same good, oversized, hostile and failing messages go in by each of
/// the five doors, and each door archives every one with the same status, reason code and reason: the pipeline's.
/// The raw RabbitMQ door needs a broker (<see cref="TestBroker"/>); the others run always.
/// </summary>
public class DoorPolicyTests
{
    private sealed record Archived(string Status, string ReasonCode, string Reason);

    // What the pipeline decides for each message, from Core alone: the oracle every door is held to.
    private static Archived Expected(DoorCorpus.Message message)
    {
        if (message.ReasonCode == nameof(RejectionCode.TooLarge))
        {
            var decision = ReceiptDecision.TooLarge(
                message.Bytes.Length, Convert.ToHexStringLower(SHA256.HashData(message.Bytes)), DoorCorpus.KeptBytes, DoorCorpus.MaxAcceptedBytes);
            return new(decision.Status.ToString(), decision.ReasonCode, decision.Reason);
        }
        if (message.ReasonCode == nameof(RejectionCode.ProcessingFailed))
        {
            return new(message.Status, message.ReasonCode, "processing failed: SqliteException");
        }
        var read = ReceiptDecision.Decide(new ScriptMessageReader().Read(message.Bytes));
        return new(read.Status.ToString(), read.ReasonCode, read.Reason);
    }

    [TestCase("http")]
    [TestCase("bus")]
    [TestCase("inbox")]
    [TestCase("ingest")]
    [TestCase("rabbitmq")]
    public async Task Every_door_archives_the_same_messages_with_the_same_status_and_reason(string door)
    {
        var broker = door == "rabbitmq" ? TestBroker.Require() : null;
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await pharmacy.TamperAsync(DoorCorpus.FailingTrigger);

        if (door == "ingest")
        {
            var files = DoorCorpus.Cases.Select(c => pharmacy.WriteMessage($"{c.Name}.xml", c.Bytes)).ToArray();
            var run = await pharmacy.RunAsync(["ingest", .. files]);
            Assert.That(run.ExitCode, Is.Zero, run.Output + run.Error);
        }
        else
        {
            await using var service = await RunningService.StartAsync(pharmacy, builder =>
            {
                builder.Configuration["Inbox:PollInterval"] = "00:00:00.100";
                builder.Configuration["Inbox:SettleTime"] = "00:00:00";
                if (broker is not null)
                {
                    builder.Configuration.AddInMemoryCollection(broker.Settings!);
                }
            });
            await SendAsync(door, pharmacy, service, broker);
            await WaitForRecordsAsync(pharmacy, DoorCorpus.Cases.Count);
            if (door == "inbox")
            {
                Assert.That(Directory.EnumerateFiles(pharmacy.Data.Inbox, "*.xml"), Is.Empty, "every file moved out of the inbox");
                Assert.That(Directory.Exists(Path.Combine(pharmacy.Data.Inbox, "refused")), Is.False, "none refused: each was archived");
            }
        }

        var archived = await ArchivedAsync(pharmacy);
        Assert.Multiple(() =>
        {
            foreach (var message in DoorCorpus.Cases)
            {
                Assert.That(archived.GetValueOrDefault(message.ArchivedSha256), Is.EqualTo(Expected(message)), $"{door}: {message.Name}");
                Assert.That((Expected(message).Status, Expected(message).ReasonCode), Is.EqualTo((message.Status, message.ReasonCode)), message.Name);
            }
        });
    }

    [Test]
    public async Task A_bus_message_without_a_source_is_archived_under_the_bus_not_dropped()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var service = await RunningService.StartAsync(pharmacy);
        var bytes = new SyntheticNewRx { MessageId = "NO-SOURCE-1" }.ToBytes();

        await service.Services.GetRequiredService<IBus>().Publish(new ReceivePrescription(bytes, Source: null!));

        await WaitForRecordsAsync(pharmacy, 1);
        await using var connection = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        Assert.That(await connection.QuerySingleAsync<string>("SELECT source FROM prescription_archive"), Is.EqualTo("bus"));
    }

    private static async Task SendAsync(string door, InstalledPharmacy pharmacy, RunningService service, TestBroker? broker)
    {
        switch (door)
        {
            case "http":
                using (var http = service.Client(await pharmacy.AddSenderAsync("gateway")))
                {
                    foreach (var message in DoorCorpus.Cases)
                    {
                        using var content = new ByteArrayContent(message.Bytes);
                        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
                        using var response = await http.PostAsync("/api/inbound", content);
                    }
                }
                break;
            case "bus":
                var bus = service.Services.GetRequiredService<IBus>();
                foreach (var message in DoorCorpus.Cases)
                {
                    await bus.Publish(new ReceivePrescription(message.Bytes));
                }
                break;
            case "inbox":
                foreach (var message in DoorCorpus.Cases)
                {
                    var temporary = pharmacy.WriteMessage($"{message.Name}.part", message.Bytes);
                    File.Move(temporary, Path.Combine(pharmacy.Data.Inbox, $"{message.Name}.xml"));
                }
                break;
            case "rabbitmq":
                await using (var connection = await broker!.ConnectAsync())
                {
                    var channel = await TestBroker.ConfirmingChannelAsync(connection);
                    await TestBroker.WaitForQueueAsync(connection, broker.InboundQueue, TimeSpan.FromSeconds(30));
                    foreach (var message in DoorCorpus.Cases)
                    {
                        await TestBroker.PublishRawAsync(channel, broker.InboundQueue, message.Bytes);
                    }
                    await WaitForRecordsAsync(pharmacy, DoorCorpus.Cases.Count);
                    await broker.DeleteAsync(channel);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(door), door, null);
        }
    }

    private static async Task WaitForRecordsAsync(InstalledPharmacy pharmacy, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await ArchivedAsync(pharmacy)).Count < count)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{count} records not archived within a minute");
            await Task.Delay(100);
        }
    }

    private static async Task<Dictionary<string, Archived>> ArchivedAsync(InstalledPharmacy pharmacy)
    {
        await using var connection = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        const string sql = """
            SELECT as_received_sha256, status, reason_code, reason FROM prescription_archive
            """;
        var rows = await connection.QueryAsync<(string Sha256, string Status, string ReasonCode, string Reason)>(sql);
        return rows.ToDictionary(r => r.Sha256, r => new Archived(r.Status, r.ReasonCode, r.Reason));
    }
}
