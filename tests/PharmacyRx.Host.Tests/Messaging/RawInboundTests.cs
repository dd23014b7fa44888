using Microsoft.Extensions.Configuration;
using PharmacyRx.Host.Messaging;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Testing;
using RabbitMQ.Client;

namespace PharmacyRx.Host.Tests.Messaging;

/// <summary>Raw SCRIPT XML through a real RabbitMQ broker, published with RabbitMQ.Client, not MassTransit.</summary>
public class RawInboundTests
{
    private static async Task<(InstalledPharmacy Pharmacy, RunningService Service, IConnection Connection, IChannel Channel, string Outcomes, TestBroker Broker)> StartAsync()
    {
        var broker = TestBroker.Require();
        var pharmacy = await InstalledPharmacy.CreateAsync();
        var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration.AddInMemoryCollection(broker.Settings!));
        var connection = await broker.ConnectAsync();
        var channel = await TestBroker.ConfirmingChannelAsync(connection);
        // The service declares the topology on start; wait for it, then listen to the outcomes.
        await TestBroker.WaitForQueueAsync(connection, broker.InboundQueue, TimeSpan.FromSeconds(30));
        var outcomes = (await channel.QueueDeclareAsync(exclusive: true)).QueueName;
        await channel.QueueBindAsync(outcomes, broker.OutcomesExchange, "");
        return (pharmacy, service, connection, channel, outcomes, broker);
    }

    [Test]
    public async Task A_raw_message_is_archived_and_its_outcome_published_correlated_by_MessageID()
    {
        var (pharmacy, service, connection, channel, outcomes, broker) = await StartAsync();
        await using (service)
        using (pharmacy)
        await using (connection)
        {
            await TestBroker.PublishRawAsync(channel, broker.InboundQueue, new SyntheticNewRx { MessageId = "AMQP-1" }.ToBytes());

            var delivered = await TestBroker.GetOutcomeAsync(channel, outcomes, TimeSpan.FromSeconds(30));
            var outcome = ReceiptOutcome.FromJson(delivered.Body.Span)!;
            var record = await service.Services.GetRequiredService<ArchiveQueries>().FindAsync("AMQP-1", CancellationToken.None);

            Assert.That(outcome.Status, Is.EqualTo("ReceiptSigned"));
            Assert.That(outcome.Code, Is.EqualTo(ReceiptOutcome.AcceptedCode));
            Assert.That(delivered.BasicProperties.CorrelationId, Is.EqualTo("AMQP-1"));
            Assert.That(record!.ReceiptId, Is.EqualTo(outcome.ReceiptId.ToString("D")));
            Assert.That(record.Source, Is.EqualTo("rabbitmq"));
            await broker.DeleteAsync(channel);
        }
    }

    [Test]
    public async Task A_poison_message_is_archived_as_rejected_answered_with_an_error_and_left_on_the_error_queue()
    {
        var (pharmacy, service, connection, channel, outcomes, broker) = await StartAsync();
        await using (service)
        using (pharmacy)
        await using (connection)
        {
            var poison = "<Message><Header>truncated"u8.ToArray();
            await TestBroker.PublishRawAsync(channel, broker.InboundQueue, poison);

            var outcome = ReceiptOutcome.FromJson((await TestBroker.GetOutcomeAsync(channel, outcomes, TimeSpan.FromSeconds(30))).Body.Span)!;
            var errored = await TestBroker.GetAsync(channel, broker.ErrorQueue, TimeSpan.FromSeconds(30));
            var record = await service.Services.GetRequiredService<ArchiveQueries>().FindAsync(outcome.ReceiptId.ToString("D"), CancellationToken.None);

            Assert.That(outcome.Code, Is.EqualTo(ReceiptOutcome.RejectedCode));
            Assert.That(outcome.Status, Is.EqualTo("Rejected"));
            Assert.That(errored.Body.ToArray(), Is.EqualTo(poison));
            Assert.That(record!.Status, Is.EqualTo("Rejected"));
            Assert.That(record.AsReceived, Is.EqualTo(poison));
            await broker.DeleteAsync(channel);
        }
    }

    [Test]
    public async Task Each_outcome_also_goes_out_as_the_SCRIPT_Status_or_Error_relating_to_the_senders_MessageID()
    {
        var (pharmacy, service, connection, channel, outcomes, broker) = await StartAsync();
        await using (service)
        using (pharmacy)
        await using (connection)
        {
            await TestBroker.PublishRawAsync(channel, broker.InboundQueue, new SyntheticNewRx { Transaction = "RxRenewalResponse", Response = "Approved", MessageId = "AMQP-RENEW" }.ToBytes());
            var status = await TestBroker.GetScriptReplyAsync(channel, outcomes, TimeSpan.FromSeconds(30));
            await TestBroker.PublishRawAsync(channel, broker.InboundQueue, new SyntheticTransaction(SyntheticTransaction.Unsupported) { MessageId = "AMQP-RXFILL" }.ToBytes());
            var error = await TestBroker.GetScriptReplyAsync(channel, outcomes, TimeSpan.FromSeconds(30));

            var script = System.Xml.Linq.XNamespace.Get(PharmacyRx.Core.Receiving.ScriptMessageReader.Namespace);
            var accepted = System.Xml.Linq.XDocument.Parse(System.Text.Encoding.UTF8.GetString(status.Body.Span));
            var rejected = System.Xml.Linq.XDocument.Parse(System.Text.Encoding.UTF8.GetString(error.Body.Span));
            Assert.That(status.BasicProperties.CorrelationId, Is.EqualTo("AMQP-RENEW"));
            Assert.That(accepted.Descendants(script + "Status").Single().Element(script + "Code")!.Value, Is.EqualTo("010"));
            Assert.That(accepted.Descendants(script + "RelatesToMessageID").Single().Value, Is.EqualTo("AMQP-RENEW"));
            Assert.That(rejected.Descendants(script + "Error").Single().Element(script + "Code")!.Value, Is.EqualTo("900"));
            Assert.That(rejected.Descendants(script + "DescriptionCode").Single().Value, Is.EqualTo("2000"));
            Assert.That(rejected.Descendants(script + "RelatesToMessageID").Single().Value, Is.EqualTo("AMQP-RXFILL"));
            Assert.That(error.BasicProperties.Type, Is.EqualTo("SCRIPT.Error"));
            await broker.DeleteAsync(channel);
        }
    }

    [Test]
    public async Task The_same_message_published_twice_gives_one_record_and_the_same_outcome_twice()
    {
        var (pharmacy, service, connection, channel, outcomes, broker) = await StartAsync();
        await using (service)
        using (pharmacy)
        await using (connection)
        {
            var body = new SyntheticNewRx { MessageId = "AMQP-TWICE" }.ToBytes();
            await TestBroker.PublishRawAsync(channel, broker.InboundQueue, body);
            await TestBroker.PublishRawAsync(channel, broker.InboundQueue, body);

            var first = ReceiptOutcome.FromJson((await TestBroker.GetOutcomeAsync(channel, outcomes, TimeSpan.FromSeconds(30))).Body.Span)!;
            var second = ReceiptOutcome.FromJson((await TestBroker.GetOutcomeAsync(channel, outcomes, TimeSpan.FromSeconds(30))).Body.Span)!;

            Assert.That(second, Is.EqualTo(first));
            Assert.That(await service.Services.GetRequiredService<ArchiveQueries>().CountAsync(CancellationToken.None), Is.EqualTo(1));
            await broker.DeleteAsync(channel);
        }
    }
}
