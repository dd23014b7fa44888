using MassTransit;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage;

namespace PharmacyRx.Host.Messaging;

/// <summary>
/// Many messages in flight so the archive writer can group their commits; retry only storage faults
/// (<see cref="StorageFaultException"/>: nothing was archived), for hours when the disk is full, never archiving them as rejected.
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
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<StorageFaultException>();
            retry.Handle<Exception>(_dialect.IsTransient);
            // About 1,000 tries, at most 30 seconds apart: a full disk waits for IT for about eight hours.
            retry.Exponential(1000, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        });
    }
}
