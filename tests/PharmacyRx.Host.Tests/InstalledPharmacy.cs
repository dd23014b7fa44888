using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using PharmacyRx.Host.Cli;
using PharmacyRx.Testing;
using PharmacyRx.Host.Keys;

namespace PharmacyRx.Host.Tests;

/// <summary>
/// A pharmacy installed by <c>pharmacyrx init</c> in a temp folder, with the command line run in-process against it.
/// </summary>
internal sealed class InstalledPharmacy : IDisposable
{
    public const string KeyPassword = "synthetic-key-password-1";

    private readonly TempFolder _folder = new();

    public InstalledPharmacy() => Data = new DataFolder(_folder.File("data"));

    public DataFolder Data { get; }

    public string Folder => _folder.Path;

    public Dictionary<string, string?> Environment { get; } = new() { [KeyPasswordSource.VariableName] = KeyPassword };

    public CliEnvironment CliEnvironment(StringWriter output, StringWriter error) =>
        new(output, error, name => Environment.GetValueOrDefault(name));

    public static async Task<InstalledPharmacy> CreateAsync()
    {
        var pharmacy = new InstalledPharmacy();
        var init = await pharmacy.RunAsync("init");
        Assert.That(init.ExitCode, Is.Zero, init.Error);
        pharmacy.InitOutput = JsonDocument.Parse(init.Output).RootElement.Clone();
        return pharmacy;
    }

    public JsonElement InitOutput { get; private set; }

    public sealed record Run(int ExitCode, string Output, string Error)
    {
        public JsonElement[] JsonLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToArray();
    }

    public async Task<Run> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await PharmacyRxCommandLine.RunAsync([.. args, "--data", Data.Root], CliEnvironment(output, error));
        return new Run(exit, output.ToString(), error.ToString());
    }

    public string WriteMessage(string name, byte[] bytes)
    {
        var path = _folder.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Adds a sender with <c>pharmacyrx senders add</c> (with <c>--any-from</c> unless told <c>--from</c>) and returns its API key.</summary>
    public async Task<string> AddSenderAsync(string name, params string[] options)
    {
        var added = await RunAsync(["senders", "add", name, .. options, .. options.Contains("--from") || options.Contains("--any-from") ? [] : new[] { "--any-from" }]);
        Assert.That(added.ExitCode, Is.Zero, added.Error);
        return added.JsonLines.Single().GetProperty("apiKey").GetString()!;
    }

    /// <summary>
    /// A service account holding ReadAudit (the Auditor role) and its API key: what monitoring reads <c>/health/ready</c>'s
    /// detail with. Created once per pharmacy.
    /// </summary>
    public async Task<string> MonitoringKeyAsync()
    {
        if (_monitoringKey is null)
        {
            var added = await RunAsync("users", "add", "monitor", "--full-name", "Synthetic Monitor", "--initials", "SM", "--service", "--role", "Auditor");
            Assert.That(added.ExitCode, Is.Zero, added.Error);
            var key = await RunAsync("users", "api-key", "monitor", "--label", "monitoring");
            Assert.That(key.ExitCode, Is.Zero, key.Error);
            _monitoringKey = key.JsonLines.Single().GetProperty("apiKey").GetString()!;
        }
        return _monitoringKey;
    }

    private string? _monitoringKey;

    /// <summary>A client for <paramref name="baseAddress"/> that reads with the monitoring key (<see cref="MonitoringKeyAsync"/>).</summary>
    public async Task<HttpClient> MonitoringClientAsync(Uri baseAddress) => Monitoring(new HttpClient { BaseAddress = baseAddress }, await MonitoringKeyAsync());

    /// <summary>Adds the monitoring key to a client (one made by a test server's factory, say).</summary>
    public static HttpClient Monitoring(HttpClient client, string key)
    {
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public async Task<Run> IngestAsync(params SyntheticNewRx[] messages) =>
        await RunAsync(["ingest", .. messages.Select(m => WriteMessage($"{m.MessageId}.xml", m.ToBytes()))]);

    /// <summary>Runs SQL on the database file directly, as an intruder with file access could.</summary>
    public async Task TamperAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Data.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await connection.ExecuteAsync(sql);
    }

    public void Dispose() => _folder.Dispose();
}
