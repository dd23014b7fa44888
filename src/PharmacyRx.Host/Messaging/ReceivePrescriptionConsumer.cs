using MassTransit;
using PharmacyRx.Contracts;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Receiving;

namespace PharmacyRx.Host.Messaging;

/// <summary>
/// Runs the receipt pipeline for a bus message and publishes the outcome: a thin door, the size cap and the archiving of
/// what could not be processed are the pipeline's. The message is acknowledged only when this returns, which is after
/// the archive commit; what the pipeline throws (transient, nothing archived) is retried by the consumer definition.
/// </summary>
public sealed class ReceivePrescriptionConsumer(ReceiptPipeline pipeline) : IConsumer<ReceivePrescription>
{
    public async Task Consume(ConsumeContext<ReceivePrescription> context)
    {
        var message = context.Message;
        var result = await pipeline.ReceiveAsync(message.Body, ReceiptSource.Bus(message.Source), context.CancellationToken);
        var status = result.Status.ToString();
        if (result.Status.IsFailure())
        {
            await context.Publish(new PrescriptionRejected(result.ReceiptId, result.MessageId, status, result.ReasonCode, result.Reason, result.IsDuplicate));
        }
        else
        {
            await context.Publish(new PrescriptionArchived(result.ReceiptId, result.MessageId, status, result.ReasonCode, result.Reason, result.IsDuplicate));
        }
    }
}
