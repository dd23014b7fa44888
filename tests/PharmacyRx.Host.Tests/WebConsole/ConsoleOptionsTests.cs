using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.WebConsole;

/// <summary>The console's settings are checked at start-up: a bad one stops the service naming the key.</summary>
[TestFixture]
public sealed class ConsoleOptionsTests
{
    [TestCase("00:00:05")]
    [TestCase("00:20:00")]
    public async Task A_lock_time_outside_half_a_minute_to_the_idle_timeout_stops_start_up(string lockAfter)
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        // The service runs as its own process here: its start-up failure arrives as its exit and its error output.
        var refused = Assert.CatchAsync(async () =>
        {
            await using var service = await RunningService.StartAsync(pharmacy, builder =>
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Console:LockAfter"] = lockAfter, ["Backup:Enabled"] = "false" }));
        });
        Assert.That(refused!.Message, Does.Contain($"exited with {Host.Cli.PharmacyRxCommandLine.ConfigurationExit}").And.Contain("'LockAfter'"));
    }
}
