using MassTransit;
using PharmacyRx.Contracts;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// Runs the receipt pipeline for a bus message and publishes the outcome. The message is acknowledged only when
/// this returns, which is after the archive commit.
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
