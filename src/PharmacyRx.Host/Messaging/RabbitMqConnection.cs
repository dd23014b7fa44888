using RabbitMQ.Client;

namespace PharmacyRx.Host.Messaging;

/// <summary>
/// The service's one connection to RabbitMQ for the raw inbound queue and the outcomes exchange, with the
/// topology declared idempotently: quorum queues (replicated, with a delivery limit), a dead-letter route to
/// the error queue, and a durable fanout exchange for outcomes.
/// </summary>
public sealed class RabbitMqConnection(RabbitMqOptions options, RabbitMqCredentials credentials) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    public RabbitMqOptions Options => options;

    public string DeadLetterExchange => options.InboundQueue + ".dead";

    public async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true })
            {
                return _connection;
            }
            var factory = new ConnectionFactory
            {
                HostName = options.Host,
                Port = options.Port,
                VirtualHost = options.VirtualHost,
                UserName = credentials.UserName,
                Password = credentials.Password,
                AutomaticRecoveryEnabled = true,
                TopologyRecoveryEnabled = true,
                ClientProvidedName = $"pharmacyrx@{Environment.MachineName}",
            };
            _connection = await factory.CreateConnectionAsync(cancellationToken);
            await DeclareTopologyAsync(_connection, cancellationToken);
            return _connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task DeclareTopologyAsync(IConnection connection, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(DeadLetterExchange, ExchangeType.Fanout, durable: true, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(options.ErrorQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(options.ErrorQueue, DeadLetterExchange, "", cancellationToken: cancellationToken);
        // The inbound queue last: once it exists, so does everything a sender or a listener for outcomes needs.
        await channel.ExchangeDeclareAsync(options.OutcomesExchange, ExchangeType.Fanout, durable: true, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(options.InboundQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                ["x-dead-letter-exchange"] = DeadLetterExchange,
                ["x-delivery-limit"] = options.DeliveryLimit,
            },
            cancellationToken: cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.CloseAsync();
            _connection.Dispose();
        }
        _gate.Dispose();
    }
}
