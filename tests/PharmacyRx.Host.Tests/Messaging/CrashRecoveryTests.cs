using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using PharmacyRx.Testing;
using PharmacyRx.Host.Keys;

namespace PharmacyRx.Host.Tests.Messaging;

/// <summary><c>pharmacyrx serve</c> as a child process on RabbitMQ, killed with SIGKILL while messages stream in.</summary>
public class CrashRecoveryTests
{
    private const int Messages = 2_000;

    [Test]
    public async Task Every_message_is_archived_exactly_once_across_a_SIGKILL_and_the_audit_chain_still_verifies()
    {
        var broker = TestBroker.Require();
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var connection = await broker.ConnectAsync();
        var channel = await TestBroker.ConfirmingChannelAsync(connection);

        var first = StartService(pharmacy, broker);
        var published = Task.Run(async () =>
        {
            await TestBroker.WaitForQueueAsync(connection, broker.InboundQueue, TimeSpan.FromSeconds(60));
            for (var i = 0; i < Messages; i++)
            {
                await TestBroker.PublishRawAsync(channel, broker.InboundQueue, new SyntheticNewRx { MessageId = $"CRASH-{i:D5}" }.ToBytes());
            }
        });
        await WaitUntilAsync(async () => await CountAsync(pharmacy) >= 300, TimeSpan.FromSeconds(120));
        first.Kill(); // SIGKILL: no shutdown, no flush, unacknowledged deliveries go back to the queue
        await first.WaitForExitAsync();
        var archivedAtKill = await CountAsync(pharmacy);
        await published;

        using var second = StartService(pharmacy, broker);
        await WaitUntilAsync(async () => await CountAsync(pharmacy) >= Messages, TimeSpan.FromSeconds(180));
        await Task.Delay(1_000); // let any redelivered duplicates arrive and be counted
        second.Kill();
        await second.WaitForExitAsync();

        await using var database = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        var ids = (await database.QueryAsync<string>("SELECT message_id FROM prescription_archive")).ToList();
        var verify = await pharmacy.RunAsync("verify");

        Assert.That(archivedAtKill, Is.LessThan(Messages), "the kill came mid-stream");
        Assert.That(ids, Has.Count.EqualTo(Messages));
        Assert.That(ids, Is.EquivalentTo(Enumerable.Range(0, Messages).Select(i => $"CRASH-{i:D5}")));
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
        await broker.DeleteAsync(channel);
    }

    private static Process StartService(InstalledPharmacy pharmacy, TestBroker broker)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "pharmacyrx.dll"), "serve", "--data", pharmacy.Data.Root, "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment[KeyPasswordSource.VariableName] = InstalledPharmacy.KeyPassword;
        start.Environment["Inbox__Enabled"] = "false";
        foreach (var (key, value) in broker.Settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start)!;
        // Drain the output so the child never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    /// <summary>How many records the data folder's archive holds, read as another process would.</summary>
    internal static async Task<long> CountAsync(InstalledPharmacy pharmacy)
    {
        await using var database = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        return await database.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM prescription_archive");
    }

    /// <summary>Waits for a condition, failing the test past <paramref name="timeout"/>.</summary>
    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met within {timeout}");
            }
            await Task.Delay(50);
        }
    }
}
