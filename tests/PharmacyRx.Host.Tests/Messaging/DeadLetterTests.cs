using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Host.Tests.Storage;
using PharmacyRx.Testing;
using RabbitMQ.Client;

namespace PharmacyRx.Host.Tests.Messaging;

/// <summary>
/// Nothing is parked unarchived on a real RabbitMQ broker: a raw message the pipeline fails on is archived Rejected with its
/// bytes by its last permitted delivery, never dead-lettered by the quorum queue's delivery limit; one that cannot be
/// archived at all is held with an alarm; a storage fault is retried, never Rejected; a MassTransit message whose JSON
/// cannot be read is archived Rejected with its bytes instead of moved to <c>_error</c>.
/// </summary>
[NonParallelizable]
public class DeadLetterTests
{
    /// <summary>MassTransit's queue for the typed consumer (its default endpoint name) and the queue it moves faults to.</summary>
    private const string TypedQueue = "ReceivePrescription";
    private const string TypedErrorQueue = TypedQueue + "_error";
    private const string TypedSkippedQueue = TypedQueue + "_skipped";

    [Test]
    public async Task A_raw_message_the_pipeline_fails_on_every_delivery_is_archived_Rejected_with_its_bytes_not_dead_lettered_by_the_limit()
    {
        var broker = TestBroker.Require();
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var body = new SyntheticNewRx { MessageId = "DEAD-LIMIT-1" }.ToBytes();
        // The pipeline fails for this message, and so does its own Rejected/ProcessingFailed fallback: only the record the
        // door writes on the message's last permitted delivery (its reason names the deliveries) gets through.
        await pharmacy.TamperAsync(FailingTrigger(body, exceptReasonLike: "%deliveries%"));
        await using var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration.AddInMemoryCollection(broker.Settings!));
        await using var connection = await broker.ConnectAsync();
        var channel = await TestBroker.ConfirmingChannelAsync(connection);
        await TestBroker.WaitForQueueAsync(connection, broker.InboundQueue, TimeSpan.FromSeconds(30));

        await TestBroker.PublishRawAsync(channel, broker.InboundQueue, body);

        var record = await WaitForRecordAsync(pharmacy, body, TimeSpan.FromSeconds(60));
        var errored = await TestBroker.GetAsync(channel, broker.ErrorQueue, TimeSpan.FromSeconds(30));
        Assert.That(record, Is.Not.Null, "archived, not dead-lettered unarchived by the delivery limit");
        Assert.That((record!.Status, record.ReasonCode), Is.EqualTo(("Rejected", "ProcessingFailed")));
        Assert.That(record.Reason, Does.Contain("deliveries").And.Contain("SqliteException"));
        Assert.That(record.AsReceived, Is.EqualTo(body));
        Assert.That(DeathReasons(errored), Is.EqualTo(new[] { "rejected" }), "the error queue holds the archived copy, rejected by the service");
        Assert.That(await channel.MessageCountAsync(broker.ErrorQueue), Is.Zero);
        Assert.That(await channel.MessageCountAsync(broker.InboundQueue), Is.Zero);
        await broker.DeleteAsync(channel);
    }

    [Test]
    public async Task A_raw_message_that_cannot_be_archived_even_as_Rejected_is_held_with_an_alarm_and_archived_once_the_fault_clears()
    {
        var broker = TestBroker.Require();
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var body = new SyntheticNewRx { MessageId = "DEAD-HELD-1" }.ToBytes();
        await pharmacy.TamperAsync(FailingTrigger(body, exceptReasonLike: null));
        var monitoringKey = await pharmacy.MonitoringKeyAsync();
        await using var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration.AddInMemoryCollection(broker.Settings!));
        using var monitoring = InstalledPharmacy.Monitoring(service.Client(), monitoringKey);
        await using var connection = await broker.ConnectAsync();
        var channel = await TestBroker.ConfirmingChannelAsync(connection);
        await TestBroker.WaitForQueueAsync(connection, broker.InboundQueue, TimeSpan.FromSeconds(30));

        await TestBroker.PublishRawAsync(channel, broker.InboundQueue, body);

        // Well past the delivery limit's worth of deliveries: the broker would have dead-lettered it by now.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var alarm = await HeldCheckAsync(monitoring);
        Assert.That(alarm.Status, Is.EqualTo("Unhealthy"), "the alarm is up while a message is held unarchived");
        Assert.That(alarm.Description, Does.Contain("1 message"));
        Assert.That(await channel.MessageCountAsync(broker.ErrorQueue), Is.Zero, "never dead-lettered unarchived");
        Assert.That(await WaitForRecordAsync(pharmacy, body, TimeSpan.Zero), Is.Null);

        await pharmacy.TamperAsync("DROP TRIGGER dead_letter_fault;");
        var record = await WaitForRecordAsync(pharmacy, body, TimeSpan.FromSeconds(60));

        Assert.That(record, Is.Not.Null, "archived once the fault cleared");
        Assert.That(record!.AsReceived, Is.EqualTo(body));
        Assert.That(record.Status, Is.EqualTo("ReceiptSigned"), "the whole pipeline ran again once it could");
        Assert.That((await HeldCheckAsync(monitoring)).Status, Is.EqualTo("Healthy"), "the alarm is down once nothing is held");
        Assert.That(await channel.MessageCountAsync(broker.ErrorQueue), Is.Zero);
        await broker.DeleteAsync(channel);
    }

    [Test]
    public async Task A_raw_message_met_by_a_full_disk_is_held_and_retried_never_archived_as_Rejected_and_raises_the_alarm()
    {
        var broker = TestBroker.Require();
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        using var disk = await SmallFileSystem.MountUnderAsync(pharmacy);
        var settings = new Dictionary<string, string?>(broker.Settings!)
        {
            ["Storage:FreeSpace:HardPercent"] = "100",
            ["Storage:FreeSpace:HardBytes"] = "1000000",
            ["Storage:FreeSpace:WarningPercent"] = "100",
            ["Storage:FreeSpace:WarningBytes"] = "3000000",
            ["Storage:FreeSpace:ReadingLifetime"] = "00:00:00",
            ["Backup:Enabled"] = "false",
        };
        var body = new SyntheticNewRx { MessageId = "DEAD-FULL-1" }.ToBytes();
        await using var connection = await broker.ConnectAsync();
        var channel = await TestBroker.ConfirmingChannelAsync(connection);
        await using (var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration.AddInMemoryCollection(settings)))
        {
            await TestBroker.WaitForQueueAsync(connection, broker.InboundQueue, TimeSpan.FromSeconds(30));
            disk.Fill();
            await TestBroker.PublishRawAsync(channel, broker.InboundQueue, body);

            var refusals = service.Services.GetRequiredService<IngestRefusals>();
            await CrashRecoveryTests.WaitUntilAsync(() => Task.FromResult(refusals.Current is { Refusals: > 10 }), TimeSpan.FromSeconds(60));
            Assert.That(await channel.MessageCountAsync(broker.ErrorQueue), Is.Zero, "not dead-lettered");
            Assert.That(await channel.MessageCountAsync(broker.InboundQueue), Is.Zero, "held by the service, unacknowledged");

            disk.Free();
            var record = await WaitForRecordAsync(pharmacy, body, TimeSpan.FromSeconds(60));
            Assert.That(record?.Status, Is.EqualTo("ReceiptSigned"), "archived once the disk is free, and a storage fault is never a verdict on the message");
            Assert.That(await channel.MessageCountAsync(broker.ErrorQueue), Is.Zero);
            await broker.DeleteAsync(channel);
        }
        Assert.That(await CrashRecoveryTests.CountAsync(pharmacy), Is.EqualTo(1), "archived once");
    }

    [TestCase("not json at all", "application/vnd.masstransit+json", TestName = "A_bus_message_whose_envelope_is_not_JSON_is_archived_Rejected_with_its_bytes_not_left_on_error")]
    [TestCase("""{"messageType":["urn:message:PharmacyRx.Contracts:ReceivePrescription"],"message":{"body":"%%% not base64 %%%","source":"gateway"}}""",
        "application/vnd.masstransit+json", TestName = "A_bus_message_whose_message_cannot_be_read_is_archived_Rejected_with_its_bytes_not_left_on_error")]
    [TestCase("<NewRx/>", "text/plain", TestName = "A_bus_message_of_a_content_type_no_deserializer_reads_is_archived_Rejected_with_its_bytes_not_left_on_error")]
    [TestCase("""{"messageType":["urn:message:PharmacyRx.Contracts:SomethingElse"],"message":{"note":"%%%"}}""",
        "application/vnd.masstransit+json", TestName = "A_bus_message_of_a_type_no_consumer_takes_is_archived_Rejected_with_its_bytes_not_left_on_skipped")]
    public async Task A_bus_message_that_cannot_be_read_is_archived_Rejected_with_its_bytes(string text, string contentType)
    {
        var broker = TestBroker.Require();
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration.AddInMemoryCollection(broker.Settings!));
        await using var connection = await broker.ConnectAsync();
        var channel = await TestBroker.ConfirmingChannelAsync(connection);
        await TestBroker.WaitForQueueAsync(connection, TypedQueue, TimeSpan.FromSeconds(30));
        await PurgeIfDeclaredAsync(connection, TypedErrorQueue);
        await PurgeIfDeclaredAsync(connection, TypedSkippedQueue);
        // Unique bytes per run: the archive would take the same bytes again from the same sender for a duplicate.
        var body = Encoding.UTF8.GetBytes(text.Replace("%%%", Guid.NewGuid().ToString("N"), StringComparison.Ordinal) + (text.StartsWith('{') ? "" : $" {Guid.NewGuid():N}"));

        await channel.BasicPublishAsync("", TypedQueue, mandatory: true,
            new BasicProperties { ContentType = contentType, DeliveryMode = DeliveryModes.Persistent, MessageId = Guid.NewGuid().ToString() }, body);

        var record = await WaitForRecordAsync(pharmacy, body, TimeSpan.FromSeconds(30));
        Assert.That(record, Is.Not.Null, "archived, not moved to _error unarchived");
        Assert.That((record!.Status, record.ReasonCode), Is.EqualTo(("Rejected", "UnreadableEnvelope")));
        Assert.That(record.Reason, Does.StartWith("bus message unreadable"));
        Assert.That(record.AsReceived, Is.EqualTo(body));
        Assert.That(record.Source, Is.EqualTo("bus"));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(await MessageCountOrZeroAsync(connection, TypedErrorQueue), Is.Zero, "nothing parked on _error");
        Assert.That(await MessageCountOrZeroAsync(connection, TypedSkippedQueue), Is.Zero, "nothing parked on _skipped");
        Assert.That(await MessageCountOrZeroAsync(connection, TypedQueue), Is.Zero, "acknowledged once archived");
        var verify = await pharmacy.RunAsync("verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output + verify.Error);
    }

    private static async Task<(string Status, string Description)> HeldCheckAsync(HttpClient monitoring)
    {
        using var ready = await monitoring.GetAsync("/health/ready");
        var checks = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        return checks.TryGetProperty("heldMessages", out var check)
            ? (check.GetProperty("status").GetString()!, check.GetProperty("description").GetString() ?? "")
            : ("absent", "");
    }

    [Test]
    public async Task A_bus_message_the_pipeline_fails_on_is_archived_Rejected_with_its_bytes_not_left_on_error()
    {
        var broker = TestBroker.Require();
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var body = new SyntheticNewRx { MessageId = $"DEAD-BUS-{Guid.NewGuid():N}" }.ToBytes();
        // The pipeline and its own fallback fail for this message; only the record the error pipe writes gets through.
        await pharmacy.TamperAsync(FailingTrigger(body, exceptReasonLike: "%after the consumer%"));
        await using var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration.AddInMemoryCollection(broker.Settings!));
        await using var connection = await broker.ConnectAsync();
        await TestBroker.WaitForQueueAsync(connection, TypedQueue, TimeSpan.FromSeconds(30));
        await PurgeIfDeclaredAsync(connection, TypedErrorQueue);
        await PurgeIfDeclaredAsync(connection, TypedSkippedQueue);

        await service.Services.GetRequiredService<MassTransit.IBus>().Publish(new PharmacyRx.Contracts.ReceivePrescription(body, "gateway"));

        var record = await WaitForRecordAsync(pharmacy, body, TimeSpan.FromSeconds(30));
        Assert.That(record, Is.Not.Null, "archived, not moved to _error unarchived");
        Assert.That((record!.Status, record.ReasonCode, record.Source), Is.EqualTo(("Rejected", "ProcessingFailed", "gateway")));
        Assert.That(record.Reason, Does.Contain("SqliteException"));
        Assert.That(record.AsReceived, Is.EqualTo(body));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(await MessageCountOrZeroAsync(connection, TypedErrorQueue), Is.Zero, "nothing parked on _error");
        Assert.That(await MessageCountOrZeroAsync(connection, TypedSkippedQueue), Is.Zero, "nothing parked on _skipped");
    }

    private sealed record Record(string Status, string ReasonCode, string Reason, string Source, byte[] AsReceived);

    /// <summary>A trigger that makes the database refuse every record of these bytes, except one whose reason is like the pattern.</summary>
    private static string FailingTrigger(byte[] body, string? exceptReasonLike) => $"""
        CREATE TRIGGER dead_letter_fault BEFORE INSERT ON prescription_archive
        WHEN NEW.as_received_sha256 = '{Convert.ToHexStringLower(SHA256.HashData(body))}'{(exceptReasonLike is null ? "" : $" AND NEW.reason NOT LIKE '{exceptReasonLike}'")}
        BEGIN SELECT RAISE(ABORT, 'synthetic fault'); END;
        """;

    private static async Task<Record?> WaitForRecordAsync(InstalledPharmacy pharmacy, byte[] body, TimeSpan timeout)
    {
        const string sql = """
            SELECT status, reason_code AS ReasonCode, reason, source, as_received AS AsReceived
            FROM prescription_archive WHERE as_received_sha256 = @Sha256
            """;
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(body));
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using (var database = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False"))
            {
                if (await database.QuerySingleOrDefaultAsync<Record>(sql, new { Sha256 = sha256 }) is { } found)
                {
                    return found;
                }
            }
            if (DateTime.UtcNow >= deadline)
            {
                return null;
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The reasons in a dead-lettered message's <c>x-death</c> header: "rejected" by a consumer, "delivery_limit" by the broker.</summary>
    private static string[] DeathReasons(BasicGetResult message) =>
        message.BasicProperties.Headers?.TryGetValue("x-death", out var deaths) is true && deaths is IEnumerable<object> list
            ? [.. list.OfType<IDictionary<string, object?>>().Select(d => d["reason"] is byte[] reason ? Encoding.UTF8.GetString(reason) : $"{d["reason"]}")]
            : [];

    // A passive declare of a queue that does not exist closes its channel (404): each look has a channel of its own.
    private static async Task<uint> MessageCountOrZeroAsync(IConnection connection, string queue)
    {
        await using var probe = await connection.CreateChannelAsync();
        try
        {
            return (await probe.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }

    private static async Task PurgeIfDeclaredAsync(IConnection connection, string queue)
    {
        await using var probe = await connection.CreateChannelAsync();
        try
        {
            await probe.QueuePurgeAsync(queue);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            // not declared yet: nothing to purge
        }
    }
}
