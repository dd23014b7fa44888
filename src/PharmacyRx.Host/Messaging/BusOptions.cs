namespace PharmacyRx.Host.Messaging;

/// <summary>Which message broker the service uses. Bound to the <c>Bus</c> section.</summary>
public sealed class BusOptions
{
    /// <summary><c>InMemory</c> (the embedded default: one process) or <c>RabbitMq</c>.</summary>
    public BusTransport Transport { get; set; } = BusTransport.InMemory;

    public RabbitMqOptions RabbitMq { get; set; } = new();
}

public enum BusTransport
{
    InMemory,
    RabbitMq,
}

/// <summary>
/// The RabbitMQ connection and the names this service declares. Credentials come only from the environment
/// (<c>PHARMACYRX_RABBITMQ_USERNAME</c>, <c>_PASSWORD</c> or <c>_PASSWORD_FILE</c>), never configuration files;
/// guest/guest only for a loopback broker, where alone RabbitMQ accepts it.
/// </summary>
public sealed class RabbitMqOptions
{
    /// <summary>Broker host. Default localhost.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>Broker AMQP port. Default 5672.</summary>
    public int Port { get; set; } = 5672;

    /// <summary>Virtual host. Default "/".</summary>
    public string VirtualHost { get; set; } = "/";

    /// <summary>Queue of raw SCRIPT XML bodies from any AMQP client. Default pharmacyrx.inbound (quorum).</summary>
    public string InboundQueue { get; set; } = "pharmacyrx.inbound";

    /// <summary>Where rejected and undeliverable inbound messages end up. Default pharmacyrx.inbound.error (quorum).</summary>
    public string ErrorQueue { get; set; } = "pharmacyrx.inbound.error";

    /// <summary>Fanout exchange receiving one JSON outcome per inbound message. Default pharmacyrx.outcomes.</summary>
    public string OutcomesExchange { get; set; } = "pharmacyrx.outcomes";

    /// <summary>Unacknowledged inbound messages held at once. Default 256; enough for the archive to group commits.</summary>
    public ushort PrefetchCount { get; set; } = 256;

    /// <summary>Deliveries of one message before the broker dead-letters it (transient faults only). Default 10.</summary>
    public int DeliveryLimit { get; set; } = 10;
}
