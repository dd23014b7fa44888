using System.Diagnostics;
using PharmacyRx.Testing;
using RabbitMQ.Client;

namespace PharmacyRx.Host.Tests.Messaging;

/// <summary>
/// The 3-node RabbitMQ cluster of <c>scripts/rabbitmq-cluster.sh</c> (as <c>deploy/</c> forms the chain's), started on
/// loopback for one test and stopped after it. A cluster that cannot start fails the test in CI; elsewhere it is ignored
/// with the reason.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private readonly TempFolder _folder;
    private readonly string[] _nodes;

    private TestCluster(TempFolder folder, string[] nodes)
    {
        _folder = folder;
        _nodes = nodes;
    }

    public static async Task<TestCluster> StartAsync()
    {
        var folder = new TempFolder();
        var (exit, output, error) = await ScriptAsync(StartTimeout, "start", folder.Path);
        if (exit != 0)
        {
            await ScriptAsync(StartTimeout, "stop", folder.Path);
            folder.Dispose();
            var reason = $"the 3-node RabbitMQ cluster did not start (scripts/rabbitmq-cluster.sh): {error.Trim()}";
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                Assert.Fail(reason);
            }
            Assert.Ignore(reason);
        }
        return new TestCluster(folder, output.Trim().Split(','));
    }

    /// <summary>Node 1, 2 or 3 as a broker for the service, with this test's own queue names.</summary>
    public TestBroker Broker(int node) => TestBroker.At(_nodes[node - 1]);

    /// <summary>Kills node 1, 2 or 3 at once (SIGKILL), as a crash would.</summary>
    public Task KillAsync(int node) => RunAsync("kill", node);

    /// <summary>Starts a killed node again; it rejoins the cluster with its data.</summary>
    public Task RestartAsync(int node) => RunAsync("restart", node);

    public async ValueTask DisposeAsync()
    {
        await ScriptAsync(StartTimeout, "stop", _folder.Path);
        _folder.Dispose();
    }

    private async Task RunAsync(string action, int node)
    {
        var (exit, _, error) = await ScriptAsync(StartTimeout, action, _folder.Path, node.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(exit, Is.Zero, $"rabbitmq-cluster.sh {action} {node}: {error}");
    }

    private static async Task<(int Exit, string Output, string Error)> ScriptAsync(TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot.Path, "scripts", "rabbitmq-cluster.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, "", $"timed out after {timeout}");
        }
        return (process.ExitCode, await output, await error);
    }
}
