using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Access;

/// <summary>
/// The npm package oidc-provider (a certified OpenID provider) run by Node on loopback from
/// <c>oidc-provider/provider.mjs</c>: the pharmacy's issuer and another that shares its signing key. scripts/test.sh
/// installs the package into <c>.cache/oidc-provider/</c> (or <c>PHARMACYRX_TEST_OIDC_PROVIDER</c> names its
/// <c>lib/index.js</c>). In CI (<c>CI=true</c>) a provider that will not start fails the test; elsewhere the test reports
/// itself ignored, with the reason.
/// </summary>
internal sealed class OpenIdProvider : IAsyncDisposable
{
    public const string ClientId = "pharmacyrx";
    public const string OtherClientId = "other-app";

    private readonly Process _node;
    private readonly BlockingCollection<Dictionary<string, string>> _pushed = [];

    private OpenIdProvider(Process node, Uri issuer, Uri otherIssuer, string secret)
    {
        _node = node;
        Issuer = issuer;
        OtherIssuer = otherIssuer;
        Secret = secret;
        _ = Task.Run(async () =>
        {
            while (await node.StandardOutput.ReadLineAsync() is { } line)
            {
                // The package writes notices of its own to standard output as well.
                if (line.StartsWith("{\"pushed\":", StringComparison.Ordinal) && JsonDocument.Parse(line).RootElement.GetProperty("pushed") is var pushed)
                {
                    _pushed.Add(pushed.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!));
                }
            }
        });
    }

    /// <summary>Forgets the authorization requests pushed so far.</summary>
    public void ForgetPushed()
    {
        while (_pushed.TryTake(out _))
        {
        }
    }

    /// <summary>The next authorization request the service pushes to either issuer (RFC 9126): its state, nonce, PKCE challenge.</summary>
    public Dictionary<string, string> NextPushed() =>
        _pushed.TryTake(out var pushed, TimeSpan.FromSeconds(10)) ? pushed : throw new AssertionException("no authorization request was pushed to the provider");

    /// <summary>The pharmacy's provider.</summary>
    public Uri Issuer { get; }

    /// <summary>Another issuer, signing with the same key (as one cloud provider's tenants do).</summary>
    public Uri OtherIssuer { get; }

    /// <summary>Both clients' secret: random for each run.</summary>
    public string Secret { get; }

    /// <summary>Two free loopback ports and a secret, chosen before the service starts (its settings name the issuer).</summary>
    public static (int Port, int OtherPort, string Secret) Reserve()
    {
        Locate();
        return (FreePort(), FreePort(), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
    }

    public static async Task<OpenIdProvider> StartAsync(int port, int otherPort, string secret, IEnumerable<string> redirectUris)
    {
        var (node, module) = Locate();
        var script = Path.Combine(RepositoryRoot.Path, "tests", "PharmacyRx.Host.Tests", "Access", "oidc-provider", "provider.mjs");
        var settings = JsonSerializer.Serialize(new { module, ports = new[] { port, otherPort }, redirectUris, secret });
        var start = new ProcessStartInfo(node) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(settings);
        var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (line is null)
            {
                await process.WaitForExitAsync();
                Unavailable($"the provider exited with {process.ExitCode}: {await error}");
            }
            var issuers = JsonDocument.Parse(line!).RootElement.GetProperty("issuers").EnumerateArray().Select(i => new Uri(i.GetString()!)).ToArray();
            return new OpenIdProvider(process, issuers[0], issuers[1], secret);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Unavailable("the provider did not start within 30 s");
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_node.HasExited)
        {
            _node.Kill(entireProcessTree: true);
            await _node.WaitForExitAsync();
        }
        _node.Dispose();
        _pushed.Dispose();
    }

    private static (string Node, string Module) Locate()
    {
        var module = Environment.GetEnvironmentVariable("PHARMACYRX_TEST_OIDC_PROVIDER")
            ?? Path.Combine(RepositoryRoot.Path, ".cache", "oidc-provider", "node_modules", "oidc-provider", "lib", "index.js");
        var node = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(folder => Path.Combine(folder, "node")).FirstOrDefault(File.Exists);
        if (node is null)
        {
            Unavailable("no node on PATH");
        }
        if (!File.Exists(module))
        {
            Unavailable($"no oidc-provider at {module}");
        }
        return (node!, module);
    }

    private static void Unavailable(string why)
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail($"the identity provider tests cannot run in CI: {why}");
        }
        Assert.Ignore($"identity provider tests skipped: {why} (scripts/test.sh installs what they need)");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
