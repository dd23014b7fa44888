using RabbitMQ.Client;

namespace PharmacyRx.Host.Tests.Messaging;

/// <summary>
/// The real RabbitMQ broker that <c>scripts/test.sh</c> starts on loopback and names in
/// <c>PHARMACYRX_TEST_RABBITMQ</c> (host:port). Without it these tests are ignored with the reason, except in CI,
/// where a missing broker fails them: broker tests are never silently skipped there.
/// </summary>
internal sealed class TestBroker
{
    public const string Variable = "PHARMACYRX_TEST_RABBITMQ";

    private TestBroker(string host, int port)
    {
        Host = host;
        Port = port;
        var suffix = Guid.NewGuid().ToString("N")[..12];
        InboundQueue = $"pharmacyrx.inbound.{suffix}";
        ErrorQueue = $"pharmacyrx.inbound.error.{suffix}";
        OutcomesExchange = $"pharmacyrx.outcomes.{suffix}";
    }

    public string Host { get; }
    public int Port { get; }
    public string InboundQueue { get; }
    public string ErrorQueue { get; }
    public string OutcomesExchange { get; }

    /// <summary>The settings that point the service at this broker and this test's own queue names.</summary>
    public Dictionary<string, string> Settings => new()
    {
        ["Bus:Transport"] = "RabbitMq",
        ["Bus:RabbitMq:Host"] = Host,
        ["Bus:RabbitMq:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Bus:RabbitMq:InboundQueue"] = InboundQueue,
        ["Bus:RabbitMq:ErrorQueue"] = ErrorQueue,
        ["Bus:RabbitMq:OutcomesExchange"] = OutcomesExchange,
    };

    /// <summary>A broker at <paramref name="address"/> (host:port), with this test's own queue names.</summary>
    public static TestBroker At(string address)
    {
        var parts = address.Split(':');
        return new TestBroker(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    public static TestBroker Require()
    {
        var address = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(address))
        {
            const string reason = $"no RabbitMQ broker: {Variable} is not set (./scripts/test.sh starts one)";
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                Assert.Fail(reason);
            }
            Assert.Ignore(reason);
        }
        return At(address!);
    }

    public async Task<IConnection> ConnectAsync() => await new ConnectionFactory
    {
        HostName = Host,
        Port = Port,
        UserName = "guest",
        Password = "guest",
    }.CreateConnectionAsync();

    /// <summary>Publishes a raw body as any AMQP client would, persistent, and waits for the broker's confirm.</summary>
    public static async Task PublishRawAsync(IChannel channel, string queue, byte[] body) =>
        await channel.BasicPublishAsync("", queue, mandatory: true,
            new BasicProperties { ContentType = "application/xml", DeliveryMode = DeliveryModes.Persistent }, body);

    public static Task<IChannel> ConfirmingChannelAsync(IConnection connection) =>
        connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

    /// <summary>Waits until a queue holds a message and returns it.</summary>
    public static async Task<BasicGetResult> GetAsync(IChannel channel, string queue, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
            {
                return message;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"nothing arrived on {queue} within {timeout}");
    }

    /// <summary>The next JSON outcome on an outcomes queue; the SCRIPT replies published beside each are passed over.</summary>
    public static Task<BasicGetResult> GetOutcomeAsync(IChannel channel, string queue, TimeSpan timeout) =>
        GetOfTypeAsync(channel, queue, "application/json", timeout);

    /// <summary>The next SCRIPT reply (Status or Error, application/xml) on an outcomes queue; the JSON outcomes are passed over.</summary>
    public static Task<BasicGetResult> GetScriptReplyAsync(IChannel channel, string queue, TimeSpan timeout) =>
        GetOfTypeAsync(channel, queue, PharmacyRx.Host.Messaging.RawInboundConsumer.ScriptReplyContentType, timeout);

    private static async Task<BasicGetResult> GetOfTypeAsync(IChannel channel, string queue, string contentType, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var message = await GetAsync(channel, queue, deadline - DateTime.UtcNow is { Ticks: > 0 } left ? left : TimeSpan.Zero);
            if (message.BasicProperties.ContentType == contentType)
            {
                return message;
            }
        }
    }

    /// <summary>
    /// Waits until the service has declared a queue. A passive declare of a missing queue closes its channel
    /// (404), so each look uses a channel of its own.
    /// </summary>
    public static async Task WaitForQueueAsync(IConnection connection, string queue, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            await using var probe = await connection.CreateChannelAsync();
            try
            {
                await probe.QueueDeclarePassiveAsync(queue);
                return;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"the service did not declare {queue} within {timeout}");
    }

    public async Task DeleteAsync(IChannel channel)
    {
        await channel.QueueDeleteAsync(InboundQueue);
        await channel.QueueDeleteAsync(ErrorQueue);
        await channel.ExchangeDeleteAsync(OutcomesExchange);
        await channel.ExchangeDeleteAsync(InboundQueue + ".dead");
    }
}
