using MassTransit;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage;

namespace PharmacyRx.Host.Messaging;

/// <summary>
/// Many messages in flight so the archive writer can group their commits; retry only storage faults
/// (<see cref="StorageFaultException"/>: nothing was archived), for hours when the disk is full, never archiving them as rejected;
/// and <see cref="ArchivingErrorFilter"/> as the error and dead-letter pipes, in place of the moves to <c>_error</c> and <c>_skipped</c>.
/// </summary>
public sealed class ReceivePrescriptionConsumerDefinition : ConsumerDefinition<ReceivePrescriptionConsumer>
{
    private readonly ISqlDialect _dialect;

    public ReceivePrescriptionConsumerDefinition(ISqlDialect dialect)
    {
        _dialect = dialect;
        ConcurrentMessageLimit = 512;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ReceivePrescriptionConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbitMq)
        {
            // Replicated on a cluster and safe across broker restarts.
            rabbitMq.SetQuorumQueue();
        }
        // What still fails after the retries, cannot be read, or is no ReceivePrescription is archived or returned to the
        // queue, never parked in _error or _skipped unarchived (DeadLetterTests). The retries are the message's own pipe, so
        // this filter on every consume sits around them.
        var archiving = ActivatorUtilities.CreateInstance<ArchivingErrorFilter>(context);
        endpointConfigurator.UseFilter<ConsumeContext>(archiving);
        endpointConfigurator.ConfigureError(error => error.UseFilter<ExceptionReceiveContext>(archiving));
        endpointConfigurator.ConfigureDeadLetter(skipped => skipped.UseFilter<ReceiveContext>(archiving));
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<StorageFaultException>();
            retry.Handle<Exception>(_dialect.IsTransient);
            // About 1,000 tries, at most 30 seconds apart: a full disk waits for IT for about eight hours.
            retry.Exponential(1000, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        });
    }
}
