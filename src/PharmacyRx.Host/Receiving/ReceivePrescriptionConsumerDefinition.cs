using MassTransit;
using PharmacyRx.Storage;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// Many messages in flight so the archive writer can group their commits; retry only transient database faults.
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
            retry.Handle<Exception>(_dialect.IsTransient);
            retry.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));
        });
    }
}
