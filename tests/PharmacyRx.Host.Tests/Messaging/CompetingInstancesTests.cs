using Microsoft.Extensions.Configuration;
using PharmacyRx.Host.Messaging;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Testing;
using RabbitMQ.Client;

namespace PharmacyRx.Host.Tests.Messaging;

/// <summary>
/// Several instances on one database: two <c>serve</c> instances consume one RabbitMQ queue and write one
/// database (here SQLite's file; the storage suite runs the same writers against SQL Server when one is given). Nothing is
/// lost, nothing archived twice, and the audit chain stays one chain that verifies.
/// </summary>
public class CompetingInstancesTests
{
    [Test]
    public async Task Two_instances_on_one_queue_and_one_database_archive_each_message_once_and_answer_repeats_as_duplicates()
    {
        var broker = TestBroker.Require();
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var first = await RunningService.StartAsync(pharmacy, builder => builder.Configuration.AddInMemoryCollection(broker.Settings!));
        await using var second = await RunningService.StartAsync(pharmacy, builder => builder.Configuration.AddInMemoryCollection(broker.Settings!));
        await using var connection = await broker.ConnectAsync();
        await using var channel = await TestBroker.ConfirmingChannelAsync(connection);
        await TestBroker.WaitForQueueAsync(connection, broker.InboundQueue, TimeSpan.FromSeconds(30));
        var outcomes = (await channel.QueueDeclareAsync(exclusive: true)).QueueName;
        await channel.QueueBindAsync(outcomes, broker.OutcomesExchange, "");
        Assert.That(await WhenConsumersAsync(channel, broker.InboundQueue, 2), Is.EqualTo(2u), "both instances consume the one queue");
        var distinct = Enumerable.Range(0, 120).Select(i => new SyntheticNewRx { MessageId = $"COMPETE-{i}" }.ToBytes()).ToArray();

        // Each message once, then the first 40 again: a repeat may reach either instance, even while the first is in flight.
        foreach (var body in distinct.Concat(distinct.Take(40)))
        {
            await TestBroker.PublishRawAsync(channel, broker.InboundQueue, body);
        }
        var answers = new List<ReceiptOutcome>();
        for (var i = 0; i < 160; i++)
        {
            answers.Add(ReceiptOutcome.FromJson((await TestBroker.GetOutcomeAsync(channel, outcomes, TimeSpan.FromSeconds(60))).Body.Span)!);
        }

        Assert.That(await first.Services.GetRequiredService<ArchiveQueries>().CountAsync(CancellationToken.None), Is.EqualTo(120));
        Assert.That(answers.Select(a => a.ReceiptId).Distinct().Count(), Is.EqualTo(120), "each repeat answered with the first record's receipt");
        Assert.That(answers.GroupBy(a => a.ReceiptId).Where(g => g.Count() == 2).Select(g => g.Select(a => a.Status).Distinct().Count()), Is.All.EqualTo(1));
        await broker.DeleteAsync(channel);
        var verify = await pharmacy.RunAsync("verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
    }

    private static async Task<uint> WhenConsumersAsync(IChannel channel, string queue, uint wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        uint count;
        while ((count = await channel.ConsumerCountAsync(queue)) < wanted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        return count;
    }
}
