using System.Diagnostics;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PharmacyRx.Contracts;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Archive;
using RabbitMQ.Client;
using PharmacyRx.Host.Keys;

namespace PharmacyRx.Benchmarks;

/// <summary>
/// End-to-end archived messages per second through the running service host: MassTransit's in-memory bus, and raw
/// SCRIPT bodies published to RabbitMQ (persistent, with publisher confirms, many in flight). The clock runs from
/// the first publish until the last message is archived.
/// </summary>
internal static class BusBenchmark
{
    public static async Task<double> InMemoryAsync(string folder, byte[][] messages, int inFlight)
    {
        await using var host = await StartAsync(folder, []);
        var bus = host.Services.GetRequiredService<IBus>();
        return await MeasureAsync(host, messages, inFlight, body => bus.Publish(new ReceivePrescription(body)));
    }

    public static async Task<double> RabbitMqAsync(string folder, byte[][] messages, int inFlight, string broker)
    {
        var (hostName, port) = (broker.Split(':')[0], int.Parse(broker.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
        var queue = $"pharmacyrx.inbound.bench.{Guid.NewGuid():N}";
        await using var host = await StartAsync(folder,
        [
            "--Bus:Transport=RabbitMq", $"--Bus:RabbitMq:Host={hostName}", $"--Bus:RabbitMq:Port={port}",
            $"--Bus:RabbitMq:InboundQueue={queue}", $"--Bus:RabbitMq:ErrorQueue={queue}.error", $"--Bus:RabbitMq:OutcomesExchange={queue}.outcomes",
        ]);
        await host.Services.GetRequiredService<PharmacyRx.Host.Messaging.RabbitMqConnection>().ConnectAsync(CancellationToken.None);

        await using var connection = await new ConnectionFactory { HostName = hostName, Port = port }.CreateConnectionAsync();
        var channels = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true))));
        var properties = new BasicProperties { ContentType = "application/xml", DeliveryMode = DeliveryModes.Persistent };
        var next = 0;
        try
        {
            return await MeasureAsync(host, messages, inFlight, body =>
                channels[Interlocked.Increment(ref next) % channels.Length].BasicPublishAsync("", queue, true, properties, body).AsTask());
        }
        finally
        {
            await channels[0].QueueDeleteAsync(queue);
            await channels[0].QueueDeleteAsync(queue + ".error");
            await channels[0].ExchangeDeleteAsync(queue + ".outcomes");
            await channels[0].ExchangeDeleteAsync(queue + ".dead");
        }
    }

    private static async Task<WebApplication> StartAsync(string folder, string[] settings)
    {
        var data = new DataFolder(Path.Combine(folder, Guid.NewGuid().ToString("N")));
        Directory.CreateDirectory(data.KeysFolder);
        using (var generated = PharmacySigningKey.Generate("Benchmark Pharmacy", DateTimeOffset.UtcNow))
        {
            generated.Save(data.KeyPath, data.CertificatePath, "benchmark-password");
        }
        var key = PharmacyKeyFiles.Load(data.KeyPath, data.CertificatePath, "benchmark-password".ToCharArray());
        var app = ServiceHost.Build(
            ["--urls", "http://127.0.0.1:0", "--Serilog:MinimumLevel:Default=Warning", "--Inbox:Enabled=false", .. settings],
            data, key, _ => null);
        await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
        await app.StartAsync();
        return app;
    }

    private static async Task<double> MeasureAsync(WebApplication host, byte[][] messages, int inFlight, Func<byte[], Task> publish)
    {
        var archive = host.Services.GetRequiredService<ArchiveQueries>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var publishing = Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < messages.Length; i = Interlocked.Increment(ref next))
            {
                await publish(messages[i]);
            }
        })));
        while (await archive.CountAsync(CancellationToken.None) < messages.Length)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("the messages were not all archived within 5 minutes");
            }
            await Task.Delay(20);
        }
        var rate = messages.Length / clock.Elapsed.TotalSeconds;
        await publishing;
        await host.StopAsync();
        return rate;
    }
}
