using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace PharmacyRx.Host.Tests.Verification;

/// <summary>
/// A CRL distribution point on 127.0.0.1 in the test, over real HTTP: <c>/crl/NAME</c> serves what <see cref="Files"/>
/// holds (503 while <see cref="Available"/> is false), <c>/hang/NAME</c> never answers, <c>/garbage/NAME</c> answers
/// with bytes that are not a CRL.
/// </summary>
internal sealed class CrlServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private CrlServer(WebApplication app) => _app = app;

    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    public volatile bool Available = true;

    public string Address { get; private set; } = "";

    /// <summary>The base URL a <c>TestPki</c> gets for served CRLs.</summary>
    public string Served => $"{Address}/crl";
    public string Hanging => $"{Address}/hang";
    public string Garbage => $"{Address}/garbage";

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<CrlServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new CrlServer(app);
        app.MapGet("/crl/{name}", (string name) =>
        {
            Interlocked.Increment(ref server._requests);
            return !server.Available ? Results.StatusCode(503)
                : server.Files.TryGetValue(name, out var bytes) ? Results.Bytes(bytes, "application/pkix-crl")
                : Results.NotFound();
        });
        app.MapGet("/hang/{name}", async (string name, CancellationToken cancellationToken) =>
        {
            Interlocked.Increment(ref server._requests);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return Results.Ok();
        });
        app.MapGet("/garbage/{name}", (string name) =>
        {
            Interlocked.Increment(ref server._requests);
            return Results.Bytes("<html>this is not a CRL</html>"u8.ToArray(), "application/pkix-crl");
        });
        await app.StartAsync();
        server.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
