using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Archive;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace PharmacyRx.Host.Messaging;

/// <summary>
/// Consumes raw SCRIPT XML (no MassTransit envelope) from the inbound quorum queue: a thin door over
/// <see cref="ReceiptPipeline"/>. Archive, publish the outcome (JSON and <see cref="ScriptReply"/>) with a publisher
/// confirm, then ack; a rejected message is archived, then dead-lettered. Redelivery re-publishes the stored outcome.
/// </summary>
public sealed partial class RawInboundConsumer(
    RabbitMqConnection broker,
    ReceiptPipeline pipeline,
    HeldMessages held,
    TimeProvider time,
    ILogger<RawInboundConsumer> logger) : BackgroundService
{
    /// <summary>The content type of the SCRIPT reply on the outcomes exchange (the JSON outcome is <c>application/json</c>).</summary>
    public const string ScriptReplyContentType = "application/xml";

    private static readonly ReceiptSource Source = ReceiptSource.Bus("rabbitmq") with { Door = "queue" };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = broker.Options;
        var connection = await broker.ConnectAsync(stoppingToken);
        var publisher = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), stoppingToken);
        var consumer = await connection.CreateChannelAsync(
            new CreateChannelOptions(false, false, consumerDispatchConcurrency: options.PrefetchCount), stoppingToken);
        await consumer.BasicQosAsync(0, options.PrefetchCount, global: false, stoppingToken);

        var receiver = new AsyncEventingBasicConsumer(consumer);
        receiver.ReceivedAsync += (_, delivery) => HandleAsync(consumer, publisher, delivery, stoppingToken);
        await consumer.BasicConsumeAsync(options.InboundQueue, autoAck: false, receiver, stoppingToken);
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        finally
        {
            await consumer.CloseAsync(CancellationToken.None);
            await publisher.CloseAsync(CancellationToken.None);
        }
    }

    private async Task HandleAsync(IChannel consumer, IChannel publisher, BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        // The delivery's body is only valid during this handler; the pipeline keeps the bytes, so copy them once.
        var body = delivery.Body.ToArray();
        ReceiptOutcome outcome;
        byte[] reply;
        try
        {
            var result = await ReceiveHoldingAsync(body, delivery.DeliveryTag, PreviousDeliveries(delivery) + 1, stoppingToken);
            outcome = ReceiptOutcome.From(result);
            reply = ScriptReply.For(result, time.GetUtcNow());
        }
        catch (Exception ex)
        {
            // The pipeline keeps whatever it can; what it throws was not archived, so the queue keeps the message and
            // counts this delivery (from the delivery the limit numbers on, ReceiveHoldingAsync holds instead of throwing).
            LogNotArchived(logger, ex, delivery.DeliveryTag);
            await consumer.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
            return;
        }

        await publisher.BasicPublishAsync(
            broker.Options.OutcomesExchange,
            routingKey: "",
            mandatory: false,
            new BasicProperties
            {
                ContentType = "application/json",
                DeliveryMode = DeliveryModes.Persistent,
                CorrelationId = outcome.MessageId,
                MessageId = outcome.ReceiptId.ToString("D"),
                Type = outcome.IsError ? "Error" : "Status",
            },
            outcome.ToJsonUtf8(),
            stoppingToken);
        // The second kind of outcome message: the SCRIPT Status or Error itself, for a sender that speaks SCRIPT.
        await publisher.BasicPublishAsync(
            broker.Options.OutcomesExchange,
            routingKey: "",
            mandatory: false,
            new BasicProperties
            {
                ContentType = ScriptReplyContentType,
                DeliveryMode = DeliveryModes.Persistent,
                CorrelationId = outcome.MessageId,
                MessageId = outcome.ReceiptId.ToString("N"),
                Type = outcome.IsError ? "SCRIPT.Error" : "SCRIPT.Status",
            },
            reply,
            stoppingToken);

        if (outcome.IsError)
        {
            // Archived already; the error queue keeps the message for the gateway's operators as well.
            await consumer.BasicRejectAsync(delivery.DeliveryTag, requeue: false, CancellationToken.None);
        }
        else
        {
            await consumer.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
        }
    }

    // A storage fault keeps the delivery unacknowledged while it lasts: a requeue would count towards the delivery limit
    // and dead-letter a message that nothing is wrong with. Only a named storage fault is retried here, and any fault from
    // the delivery the limit numbers on: a requeue past it would have the broker dead-letter the message unarchived.
    private async Task<ArchiveResult> ReceiveHoldingAsync(byte[] body, ulong tag, long delivery, CancellationToken stoppingToken)
    {
        var pause = TimeSpan.FromMilliseconds(250);
        IDisposable? holding = null;
        try
        {
            while (true)
            {
                try
                {
                    return await pipeline.ReceiveAsync(body, Source, stoppingToken);
                }
                catch (StorageFaultException ex)
                {
                    LogHeld(logger, tag, ex.Fault.Name, pause);
                }
                catch (Exception ex) when (ex is not OperationCanceledException && delivery >= broker.Options.DeliveryLimit)
                {
                    try
                    {
                        return await pipeline.ReceiveUnprocessableAsync(body, Source,
                            $"processing failed on each of {delivery} deliveries: {ex.GetType().Name}", stoppingToken);
                    }
                    catch (StorageFaultException again)
                    {
                        LogHeld(logger, tag, again.Fault.Name, pause);
                    }
                    catch (Exception again) when (again is not OperationCanceledException)
                    {
                        // Not even the rejection could be written: held with the alarm and tried again, so the broker
                        // never dead-letters the message unarchived.
                        holding ??= held.Hold(Source, again);
                    }
                }
                await Task.Delay(pause, stoppingToken);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxHoldPause.Ticks));
            }
        }
        finally
        {
            holding?.Dispose();
        }
    }

    /// <summary>
    /// The deliveries of this message before this one: the quorum queue's <c>x-delivery-count</c>, which it compares with
    /// <c>x-delivery-limit</c> when the message is returned (absent on a first delivery).
    /// </summary>
    private static long PreviousDeliveries(BasicDeliverEventArgs delivery) =>
        delivery.BasicProperties.Headers?.TryGetValue("x-delivery-count", out var count) is true && count is IConvertible number
            ? number.ToInt64(System.Globalization.CultureInfo.InvariantCulture)
            : 0;

    private static readonly TimeSpan MaxHoldPause = TimeSpan.FromSeconds(10);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound delivery {Tag} held unacknowledged: storage fault {Fault}; trying again in {Pause}")]
    private static partial void LogHeld(ILogger logger, ulong tag, string fault, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound delivery {Tag} was not archived; returned to the queue")]
    private static partial void LogNotArchived(ILogger logger, Exception exception, ulong tag);
}
