using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using PharmacyRx.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace PharmacyRx.Host.Tests.Messaging;

/// <summary>
/// The raw inbound queue on a 3-node quorum-queue cluster: the node the service is connected to (and the queue's first
/// leader) is killed mid-stream and restarted while a sender goes on publishing through another node.
/// </summary>
[NonParallelizable]
public class BrokerNodeFailureTests
{
    private const int Messages = 600;

    [Test]
    public async Task A_node_killed_mid_stream_and_restarted_loses_no_message_and_the_service_reconnects_by_itself()
    {
        await using var cluster = await TestCluster.StartAsync();
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var broker = cluster.Broker(1);
        await using var connection = await cluster.Broker(2).ConnectAsync();
        var channel = await TestBroker.ConfirmingChannelAsync(connection);
        var settings = new Dictionary<string, string?> { ["Inbox:Enabled"] = "false" };
        foreach (var (name, value) in broker.Settings)
        {
            settings[name] = value;
        }

        long archivedAtKill;
        await using (var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration.AddInMemoryCollection(settings)))
        {
            await TestBroker.WaitForQueueAsync(connection, broker.InboundQueue, TimeSpan.FromSeconds(60));
            var publishing = Task.Run(async () =>
            {
                for (var i = 0; i < Messages; i++)
                {
                    await PublishConfirmedAsync(channel, broker.InboundQueue, new SyntheticNewRx { MessageId = $"NODE-{i:D4}" }.ToBytes());
                }
            });
            await CrashRecoveryTests.WaitUntilAsync(async () => await CrashRecoveryTests.CountAsync(pharmacy) >= 100, TimeSpan.FromSeconds(120));
            await cluster.KillAsync(1);
            archivedAtKill = await CrashRecoveryTests.CountAsync(pharmacy);
            await Task.Delay(TimeSpan.FromSeconds(5));
            await cluster.RestartAsync(1);
            await publishing.WaitAsync(TimeSpan.FromSeconds(120));

            // The service is connected to node 1 only: whatever is archived from here on, it reconnected by itself.
            await CrashRecoveryTests.WaitUntilAsync(async () => await CrashRecoveryTests.CountAsync(pharmacy) >= Messages, TimeSpan.FromSeconds(120));
            await Task.Delay(TimeSpan.FromSeconds(2)); // redelivered duplicates, if any, would be counted now
            Assert.That(await channel.MessageCountAsync(broker.ErrorQueue), Is.Zero, "nothing dead-lettered");
            await broker.DeleteAsync(channel);
        }

        await using var database = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        var ids = (await database.QueryAsync<string>("SELECT message_id FROM prescription_archive")).ToList();
        var verify = await pharmacy.RunAsync("verify");

        Assert.That(archivedAtKill, Is.LessThan(Messages), "the node died mid-stream");
        Assert.That(ids, Is.EquivalentTo(Enumerable.Range(0, Messages).Select(i => $"NODE-{i:D4}")), "every message archived exactly once");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output + verify.Error);
    }

    // While the queue elects a new leader a confirm may be refused or time out: the sender publishes again, as any
    // at-least-once sender does, and the archive's duplicate rule keeps one record.
    private static async Task PublishConfirmedAsync(IChannel channel, string queue, byte[] body)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await channel.BasicPublishAsync("", queue, mandatory: true,
                    new BasicProperties { ContentType = "application/xml", DeliveryMode = DeliveryModes.Persistent }, body, timeout.Token);
                return;
            }
            catch (Exception ex) when (attempt < 5 && ex is PublishException or OperationCanceledException)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }
}
