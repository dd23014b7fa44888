using MassTransit;
using PharmacyRx.Contracts;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Archive;

namespace PharmacyRx.Host.Messaging;

/// <summary>
/// Runs the receipt pipeline for a bus message and publishes the outcome: a thin door over the pipeline's policy. The
/// message is acked only after the archive commit; what the pipeline throws is retried per the consumer definition, and
/// what still fails, or cannot be read, goes to <see cref="ArchivingErrorFilter"/>, not <c>_error</c>.
/// </summary>
public sealed class ReceivePrescriptionConsumer(ReceiptPipeline pipeline) : IConsumer<ReceivePrescription>
{
    public async Task Consume(ConsumeContext<ReceivePrescription> context)
    {
        var message = context.Message;
        var result = await pipeline.ReceiveAsync(message.Body, ReceiptSource.Bus(message.Source), context.CancellationToken);
        await PublishOutcomeAsync(context, result, context.CancellationToken);
    }

    /// <summary>The outcome of an archived message: <see cref="PrescriptionRejected"/> when its status is a failure, else <see cref="PrescriptionArchived"/>.</summary>
    public static Task PublishOutcomeAsync(IPublishEndpoint publish, ArchiveResult result, CancellationToken cancellationToken)
    {
        var status = result.Status.ToString();
        return result.Status.IsFailure()
            ? publish.Publish(new PrescriptionRejected(result.ReceiptId, result.MessageId, status, result.ReasonCode, result.Reason, result.IsDuplicate), cancellationToken)
            : publish.Publish(new PrescriptionArchived(result.ReceiptId, result.MessageId, status, result.ReasonCode, result.Reason, result.IsDuplicate), cancellationToken);
    }
}
