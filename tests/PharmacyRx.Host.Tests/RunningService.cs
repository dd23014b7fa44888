using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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

    /// <summary>
    /// Signs in with a one-time password and sets the user's own, as a person does before anything else: a one-time
    /// password holds only to be changed, at sign-in and as a requester's or approver's password alike.
    /// </summary>
    public async Task SetOwnPasswordAsync(string userName, string oneTime, string chosen)
    {
        using var client = Client();
        using var login = await client.PostAsJsonAsync("/api/sessions", new { userName, password = oneTime });
        client.DefaultRequestHeaders.Authorization = new("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
        using var change = await client.PutAsJsonAsync("/api/me/password", new { currentPassword = oneTime, newPassword = chosen });
        Assert.That(change.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await change.Content.ReadAsStringAsync());
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
