using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Operations;

/// <summary>
/// Debian's <c>prometheus</c> or <c>prometheus-alertmanager</c> (installed by scripts/test.sh when missing) run on a free
/// loopback port with a configuration of the test's, in a folder of its own; killed on dispose. In CI (<c>CI=true</c>) a
/// server that is missing or will not start fails the test; elsewhere the test reports itself ignored, with the reason.
/// </summary>
internal sealed class MonitoringServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringWriter _output;

    private MonitoringServer(Process process, StringWriter output, Uri address)
    {
        _process = process;
        _output = output;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>host:port, as a scrape target or an Alertmanager address is written.</summary>
    public string HostAndPort => $"{Address.Host}:{Address.Port}";

    /// <summary>A Debian monitoring tool's path, or the test is unavailable (failed in CI, ignored elsewhere).</summary>
    public static string Tool(string name)
    {
        var path = Path.Combine("/usr/bin", name);
        if (!File.Exists(path))
        {
            Unavailable($"no {name} at {path}");
        }
        return path;
    }

    /// <summary>Fails the test in CI, ignores it elsewhere, naming why.</summary>
    public static void Unavailable(string why)
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail($"the Prometheus tests cannot run in CI: {why}");
        }
        Assert.Ignore($"Prometheus tests skipped: {why} (scripts/test.sh installs prometheus and prometheus-alertmanager with apt)");
    }

    public static Task<MonitoringServer> StartPrometheusAsync(string folder, string configuration) =>
        StartAsync("prometheus", folder, configuration, port =>
            ["--config.file=" + Path.Combine(folder, "config.yml"), "--storage.tsdb.path=" + Path.Combine(folder, "tsdb"),
             $"--web.listen-address=127.0.0.1:{port}"]);

    public static Task<MonitoringServer> StartAlertmanagerAsync(string folder, string configuration) =>
        StartAsync("prometheus-alertmanager", folder, configuration, port =>
            // An empty cluster address: one Alertmanager, no gossip port.
            ["--config.file=" + Path.Combine(folder, "config.yml"), "--storage.path=" + Path.Combine(folder, "data"),
             $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="]);

    private static async Task<MonitoringServer> StartAsync(string tool, string folder, string configuration, Func<int, string[]> arguments)
    {
        var executable = Tool(tool);
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "config.yml"), configuration);
        var port = FreePort();
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments(port))
        {
            start.ArgumentList.Add(argument);
        }
        var output = new StringWriter();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.WriteLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.WriteLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new MonitoringServer(process, output, new Uri($"http://127.0.0.1:{port}/"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var ready = await server.Client.GetAsync("-/ready");
                if (ready.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(250);
        }
        await server.DisposeAsync();
        Unavailable($"{tool} did not start on 127.0.0.1:{port}: {server.Log}");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>What the server wrote: shown when a test fails.</summary>
    public string Log
    {
        get
        {
            lock (_output)
            {
                var text = _output.ToString();
                return text.Length > 4000 ? text[^4000..] : text;
            }
        }
    }

    /// <summary>An instant query's samples: each series' labels and value.</summary>
    public async Task<IReadOnlyList<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using var response = await Client.GetAsync($"api/v1/query?query={Uri.EscapeDataString(promql)}");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("success"), body.ToString());
        return body.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => (r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>Queries until the single value of <paramref name="promql"/> is <paramref name="expected"/>; the last value seen otherwise.</summary>
    public async Task<double?> WaitForValueAsync(string promql, double expected, TimeSpan timeout)
    {
        double? last = null;
        var deadline = DateTime.UtcNow + timeout;
        do
        {
            var samples = await QueryAsync(promql);
            last = samples.Count == 1 ? samples[0].Value : null;
            if (last == expected)
            {
                return last;
            }
            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);
        return last;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A file of deploy/prometheus/, as the project ships it.</summary>
    public static string Deployed(string name) => Path.Combine(RepositoryRoot.Path, "deploy", "prometheus", name);

    /// <summary>
    /// The shipped text with each (what, with) replaced; each must be there, so a change to the shipped file that the test
    /// no longer follows fails loudly rather than testing something else.
    /// </summary>
    public static string Adapted(string name, params (string What, string With)[] replacements)
    {
        var text = File.ReadAllText(Deployed(name));
        foreach (var (what, with) in replacements)
        {
            Assert.That(text, Does.Contain(what), $"deploy/prometheus/{name} no longer has {what}");
            text = text.Replace(what, with, StringComparison.Ordinal);
        }
        return text;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
