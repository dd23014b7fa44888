using PharmacyRx.Host.Cli;

namespace PharmacyRx.Host.Tests;

/// <summary><c>pharmacyrx serve</c> running in-process on a free loopback port, stopped on dispose.</summary>
internal sealed class RunningService : IAsyncDisposable
{
    private readonly Task<int> _run;
    private readonly WebApplication _app;

    private RunningService(Task<int> run, WebApplication app)
    {
        _run = run;
        _app = app;
        BaseAddress = new Uri(app.Urls.Single());
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>A client for the service; with a sender's key in <c>X-Api-Key</c> when given.</summary>
    public HttpClient Client(string? senderKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (senderKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", senderKey);
        }
        return client;
    }

    /// <summary>Starts <c>serve</c>; <paramref name="hostArgs"/> are configuration on its command line (<c>--Section:Key=value</c>), read as the service registers itself.</summary>
    public static async Task<RunningService> StartAsync(InstalledPharmacy pharmacy, Action<WebApplicationBuilder>? configure = null, params string[] hostArgs)
    {
        var started = new TaskCompletionSource<WebApplication>(TaskCreationOptions.RunContinuationsAsynchronously);
        var environment = pharmacy.CliEnvironment(new StringWriter(), new StringWriter()) with
        {
            ConfigureServe = configure,
            OnServing = started.SetResult,
        };
        var run = PharmacyRxCommandLine.RunAsync(["serve", "--data", pharmacy.Data.Root, "--urls", "http://127.0.0.1:0", .. hostArgs], environment);
        var first = await Task.WhenAny(started.Task, run).WaitAsync(TimeSpan.FromSeconds(60));
        if (first == run)
        {
            throw new InvalidOperationException($"serve exited with {await run}: {environment.Error}");
        }
        return new RunningService(run, await started.Task);
    }

    private bool _stopped;

    /// <summary>Stops serve (once: disposing again does nothing) and checks it exited cleanly.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        await _app.StopAsync();
        Assert.That(await _run.WaitAsync(TimeSpan.FromSeconds(30)), Is.Zero);
    }
}
