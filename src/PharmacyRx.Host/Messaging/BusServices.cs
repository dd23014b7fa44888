using MassTransit;
using PharmacyRx.Host.Receiving;

namespace PharmacyRx.Host.Messaging;

/// <summary>
/// The bus by configuration: MassTransit's in-memory transport by default; with <c>Bus:Transport=RabbitMq</c>,
/// MassTransit.RabbitMQ for the typed contracts plus the raw inbound queue and the outcomes exchange.
/// </summary>
public static class BusServices
{
    public static IServiceCollection AddBus(this IServiceCollection services, IConfiguration configuration, Func<string, string?> environment)
    {
        var options = configuration.GetSection("Bus").Get<BusOptions>() ?? new BusOptions();
        if (options.Transport is BusTransport.RabbitMq)
        {
            var credentials = RabbitMqCredentials.Resolve(options.RabbitMq, environment);
            services.AddSingleton(options.RabbitMq);
            services.AddSingleton(credentials);
            services.AddSingleton<RabbitMqConnection>();
            services.AddHostedService<RawInboundConsumer>();
            services.AddMassTransit(bus =>
            {
                bus.AddConsumer<ReceivePrescriptionConsumer, ReceivePrescriptionConsumerDefinition>();
                bus.UsingRabbitMq((context, transport) =>
                {
                    transport.Host(options.RabbitMq.Host, (ushort)options.RabbitMq.Port, options.RabbitMq.VirtualHost, host =>
                    {
                        host.Username(credentials.UserName);
                        host.Password(credentials.Password);
                    });
                    transport.ConfigureEndpoints(context);
                });
            });
        }
        else
        {
            services.AddMassTransit(bus =>
            {
                bus.AddConsumer<ReceivePrescriptionConsumer, ReceivePrescriptionConsumerDefinition>();
                bus.UsingInMemory((context, transport) => transport.ConfigureEndpoints(context));
            });
        }
        return services;
    }
}
