using System.Runtime.ExceptionServices;
using System.Text.Json;
using MassTransit;
using MassTransit.Transports;
using PharmacyRx.Contracts;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Archive;

namespace PharmacyRx.Host.Messaging;

/// <summary>
/// Instead of MassTransit's <c>_error</c> and <c>_skipped</c> moves, archives what the <c>ReceivePrescription</c>
/// consumer did not, so nothing received is dropped (DESIGN.md, "Messages"), publishes the outcome and acks. A storage
/// fault is never archived as Rejected: it goes back to the queue after a pause, as does what cannot be archived.
/// </summary>
public sealed partial class ArchivingErrorFilter(ReceiptPipeline pipeline, HeldMessages held, ILogger<ArchivingErrorFilter> logger)
    : IFilter<ConsumeContext>, IFilter<ExceptionReceiveContext>, IFilter<ReceiveContext>
{
    /// <summary>How long a message that could not be archived waits before it goes back to the queue: no busy loop.</summary>
    public static readonly TimeSpan ReturnPause = TimeSpan.FromSeconds(5);

    // The publisher's name is inside the envelope that could not be read: such a message is the bus's.
    private static readonly ReceiptSource Unread = ReceiptSource.Bus(null);

    public void Probe(ProbeContext context) => context.CreateFilterScope("archiveUnconsumed");

    /// <summary>Around the consumer and its retries: what still failed is archived, its outcome published, and acknowledged.</summary>
    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        try
        {
            await next.Send(context);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or StorageFaultException) && !Unreadable(ex)
            && context.TryGetMessage<ReceivePrescription>(out var consumed))
        {
            var message = consumed.Message;
            var source = ReceiptSource.Bus(message.Source);
            // What this throws goes to the error pipe below, which returns the message to the queue.
            await ArchiveAsync(context.ReceiveContext, () => ReceiveAgainAsync(message, source, ex, context.CancellationToken));
        }
    }

    /// <summary>The error pipe: the envelope could not be read; or a storage fault outlasted the retries, or nothing could be archived.</summary>
    public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        var fault = context.Exception;
        if (Unreadable(fault))
        {
            try
            {
                await ArchiveAsync(context, () => pipeline.ReceiveUnreadableAsync(
                    context.Body.GetBytes(), Unread, UnreadableReason(context, fault), context.CancellationToken));
                // Faulted, so the dead-letter pipe leaves it alone: archived is the end of it.
                await context.NotifyFaulted(fault);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                fault = ex;
            }
        }
        await ReturnAsync(fault, context.CancellationToken);
    }

    /// <summary>The dead-letter pipe: read, but no consumer here takes its message type.</summary>
    public async Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
    {
        try
        {
            await ArchiveAsync(context, () => pipeline.ReceiveUnreadableAsync(
                context.Body.GetBytes(), Unread, UnreadableReason(context, null), context.CancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await ReturnAsync(ex, context.CancellationToken);
        }
    }

    private async Task ArchiveAsync(ReceiveContext context, Func<Task<ArchiveResult>> archive)
    {
        var result = await archive();
        await ReceivePrescriptionConsumer.PublishOutcomeAsync(new PublishEndpoint(context.PublishEndpointProvider), result, context.CancellationToken);
        LogArchived(logger, result.ReceiptId, result.Status.ToString(), result.ReasonCode);
    }

    // Back to the queue (the transport nacks what the receive pipe throws), after a pause; a fault that is not the storage's
    // holds the alarm meanwhile. IngestRefusals raises the alarm for a storage fault, which is never a verdict on a message.
    private async Task ReturnAsync(Exception fault, CancellationToken cancellationToken)
    {
        if (fault is StorageFaultException storage)
        {
            LogReturned(logger, storage.Fault.Name);
        }
        using (fault is StorageFaultException ? null : held.Hold(Unread, fault))
        {
            await Task.Delay(ReturnPause, cancellationToken);
        }
        ExceptionDispatchInfo.Throw(fault);
    }

    // Received again first: if the fault came after the archive commit (publishing the outcome), this finds the record and
    // archives nothing twice. If the pipeline throws again, the bytes are archived without being processed.
    private async Task<ArchiveResult> ReceiveAgainAsync(ReceivePrescription message, ReceiptSource source, Exception fault, CancellationToken cancellationToken)
    {
        try
        {
            return await pipeline.ReceiveAsync(message.Body ?? [], source, cancellationToken);
        }
        catch (Exception again) when (again is not (OperationCanceledException or StorageFaultException))
        {
            return await pipeline.ReceiveUnprocessableAsync(message.Body ?? [], source,
                $"processing failed after the consumer's retries: {fault.GetType().Name}", cancellationToken);
        }
    }

    /// <summary>True when the envelope or the message in it could not be read (MassTransit's deserializer, System.Text.Json, base64).</summary>
    private static bool Unreadable(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is System.Runtime.Serialization.SerializationException or JsonException or FormatException)
            {
                return true;
            }
        }
        return false;
    }

    // The content type and the fault's types, never the fault's text or the message types the sender named: a JSON error
    // quotes the body it could not read.
    private static string UnreadableReason(ReceiveContext context, Exception? fault)
    {
        var types = new List<string>();
        for (var current = fault; current is not null && types.Count < 3; current = current.InnerException)
        {
            types.Add(current.GetType().Name);
        }
        var why = types.Count > 0 ? string.Join(" <- ", types) : $"not a {nameof(ReceivePrescription)}: no consumer here takes its message type";
        return $"bus message unreadable ({context.ContentType?.MediaType ?? "no content type"}): {why}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A bus message that failed or could not be read was archived as {ReceiptId}: {Status} {ReasonCode}")]
    private static partial void LogArchived(ILogger logger, Guid receiptId, string status, string reasonCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A bus message was not archived for a storage fault {Fault}; returned to the queue")]
    private static partial void LogReturned(ILogger logger, string fault);
}
