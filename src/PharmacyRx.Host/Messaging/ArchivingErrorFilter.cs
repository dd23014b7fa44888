using System.Text.Json;
using MassTransit;
using MassTransit.Transports;
using PharmacyRx.Contracts;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Archive;

namespace PharmacyRx.Host.Messaging;

/// <summary>
/// The error pipe of the <c>ReceivePrescription</c> endpoint, in place of MassTransit's move to <c>_error</c>, so that
/// nothing is parked there unarchived (DESIGN.md, "Messages": nothing received is dropped). A message whose envelope or
/// JSON cannot be read is archived as Rejected/UnreadableEnvelope with its transport body; one that still failed after the
/// consumer's retries is received again (a duplicate returns its stored outcome) or else archived as
/// Rejected/ProcessingFailed. Either way <see cref="PrescriptionRejected"/> or <see cref="PrescriptionArchived"/> is published
/// and the message acknowledged. A storage fault is never archived as Rejected: the message goes back to the queue after a
/// pause, and so does one that cannot be archived at all, held meanwhile with the alarm of <see cref="HeldMessages"/>.
/// </summary>
public sealed partial class ArchivingErrorFilter(ReceiptPipeline pipeline, HeldMessages held, ILogger<ArchivingErrorFilter> logger)
    : IFilter<ExceptionReceiveContext>
{
    /// <summary>How long a message that could not be archived waits before it goes back to the queue (no busy loop).</summary>
    public static readonly TimeSpan ReturnPause = TimeSpan.FromSeconds(5);

    // The publisher's name is inside the envelope that could not be read: such a message is the bus's.
    private static readonly ReceiptSource Unread = ReceiptSource.Bus(null);

    public void Probe(ProbeContext context) => context.CreateFilterScope("archiveFault");

    public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        var cancellationToken = context.CancellationToken;
        var message = Unreadable(context.Exception) ? null : Readable(context);
        var source = message is null ? Unread : ReceiptSource.Bus(message.Source);
        IDisposable? holding = null;
        try
        {
            var result = message is null
                ? await pipeline.ReceiveUnreadableAsync(context.Body.GetBytes(), source, UnreadableReason(context), cancellationToken)
                : await ReceiveAgainAsync(message, source, context.Exception, cancellationToken);
            await ReceivePrescriptionConsumer.PublishOutcomeAsync(new PublishEndpoint(context.PublishEndpointProvider), result, cancellationToken);
            LogArchived(logger, result.ReceiptId, result.Status.ToString(), result.ReasonCode);
        }
        catch (StorageFaultException ex)
        {
            // IngestRefusals holds the alarm for storage faults; the message is never a verdict of theirs.
            LogReturned(logger, ex.Fault.Name);
            await Task.Delay(ReturnPause, cancellationToken);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            holding = held.Hold(source, ex);
            await Task.Delay(ReturnPause, cancellationToken);
            throw;
        }
        finally
        {
            holding?.Dispose();
        }
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

    private static ReceivePrescription? Readable(ExceptionReceiveContext context)
    {
        try
        {
            return context.TryGetPayload(out ConsumeContext? consume) && consume.TryGetMessage<ReceivePrescription>(out var message)
                ? message.Message
                : null;
        }
        catch (Exception ex) when (Unreadable(ex))
        {
            return null;
        }
    }

    // The content type and the fault's types, never the fault's text: a JSON error quotes the body it could not read.
    private static string UnreadableReason(ExceptionReceiveContext context)
    {
        var types = new List<string>();
        for (Exception? current = context.Exception; current is not null && types.Count < 3; current = current.InnerException)
        {
            types.Add(current.GetType().Name);
        }
        return $"bus message unreadable ({context.ContentType?.MediaType ?? "no content type"}): {string.Join(" <- ", types)}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A bus message that failed or could not be read was archived as {ReceiptId}: {Status} {ReasonCode}")]
    private static partial void LogArchived(ILogger logger, Guid receiptId, string status, string reasonCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A bus message that failed was not archived for a storage fault {Fault}; returned to the queue")]
    private static partial void LogReturned(ILogger logger, string fault);
}
