using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Storage;

/// <summary>
/// Storage:Provider = SqlServer pointed at a server that is not there: serve and every verb that reads or writes records
/// fail within a minute, naming the server and the cause, and never fall back to the SQLite file.
/// </summary>
// Each case waits out SqlClient's connect timeout (15 s) in its own child process: run them side by side.
[Parallelizable(ParallelScope.Children)]
public class StorageProviderTests
{
    private static readonly string[][] Verbs =
    [
        ["serve"],
        ["show", "SOME-MESSAGE"],
        ["verify"],
        ["ingest", "{message}"],
        ["users", "list"],
        ["roles", "list"],
        ["trust", "list"],
        ["crl", "list"],
        ["senders", "list"],
        ["recheck"],
        ["backup", "run"],
        ["audit", "report", "--date", "2026-01-02"],
        ["export-records", "--out", "{out}"],
    ];

    private InstalledPharmacy _pharmacy = null!;
    private string _databaseSha256 = "";

    [OneTimeSetUp]
    public async Task Install()
    {
        _pharmacy = await InstalledPharmacy.CreateAsync();
        _databaseSha256 = Sha256(_pharmacy.Data.DatabasePath);
    }

    [OneTimeTearDown]
    public void Remove() => _pharmacy.Dispose();

    [TestCaseSource(nameof(Verbs))]
    public async Task A_verb_pointed_at_an_unreachable_SQL_Server_names_it_and_the_cause_within_a_minute(string[] verb)
    {
        var port = ClosedPort();
        var message = _pharmacy.WriteMessage($"rx-{port}.xml", new SyntheticNewRx().ToBytes());
        string[] args = [.. verb.Select(a => a.Replace("{message}", message, StringComparison.Ordinal)
            .Replace("{out}", Path.Combine(_pharmacy.Folder, $"export-{port}"), StringComparison.Ordinal)), "--data", _pharmacy.Data.Root];
        var clock = Stopwatch.StartNew();

        var (exit, _, error) = await ChildProgram.RunAsync(args, environment: new Dictionary<string, string>
        {
            ["Storage__Provider"] = "SqlServer",
            ["ConnectionStrings__PharmacyRx"] = $"Server=tcp:127.0.0.1,{port};Database=pharmacyrx;User ID=pharmacyrx;Password=synthetic-1;Encrypt=false",
        });

        await TestContext.Out.WriteLineAsync($"{string.Join(' ', verb)}: exit {exit} after {clock.Elapsed.TotalSeconds:F1} s: {error.Trim()}");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMinutes(1)));
        Assert.That(exit, Is.EqualTo(3), error);
        Assert.That(error, Does.Contain("cannot open the database: SQL Server tcp:127.0.0.1," + port).And.Contain("database pharmacyrx"));
        Assert.That(error, Does.Not.Contain("synthetic-1"), "the password is never shown");
        Assert.That(Sha256(_pharmacy.Data.DatabasePath), Is.EqualTo(_databaseSha256), "the SQLite file is not used instead");
    }

    /// <summary>
    /// The settings' names with the PHARMACYRX_ prefix (CommandContext) reach serve as they reach every other verb: a
    /// serve that read them for its checks but not for its host would keep records in the SQLite file while the pharmacy
    /// believes them on its server.
    /// </summary>
    [TestCase("serve", "--urls", "http://127.0.0.1:0")]
    [TestCase("verify")]
    public async Task The_prefixed_names_of_the_settings_reach_serve_as_they_reach_the_other_verbs(params string[] verb)
    {
        var port = ClosedPort();

        // The prefixed name wins over the unprefixed one for every verb, serve with an argument of its own too.
        var (exit, _, error) = await ChildProgram.RunAsync([.. verb, "--data", _pharmacy.Data.Root], environment: new Dictionary<string, string>
        {
            ["Storage__Provider"] = "Sqlite",
            ["PHARMACYRX_Storage__Provider"] = "SqlServer",
            ["PHARMACYRX_ConnectionStrings__PharmacyRx"] = $"Server=tcp:127.0.0.1,{port};Database=pharmacyrx;User ID=pharmacyrx;Password=synthetic-1;Encrypt=false;Connect Timeout=2",
        });

        Assert.That(exit, Is.EqualTo(3), error);
        Assert.That(error, Does.Contain("cannot open the database: SQL Server tcp:127.0.0.1," + port));
        Assert.That(Sha256(_pharmacy.Data.DatabasePath), Is.EqualTo(_databaseSha256), "the SQLite file is not used instead");
    }

    [TestCase("init")]
    [TestCase("serve", "--init")]
    public async Task Init_pointed_at_an_unreachable_SQL_Server_names_it_and_leaves_no_database_file_or_key(params string[] verb)
    {
        var port = ClosedPort();
        // Beside the installed pharmacy, not in a TempFolder: its disposal would close the pooled connections to that
        // pharmacy's file, and the checkpoint would change the file the other cases compare.
        var data = new DataFolder(Path.Combine(_pharmacy.Folder, $"init-{port}"));

        var (exit, output, error) = await ChildProgram.RunAsync([.. verb, "--data", data.Root], environment: new Dictionary<string, string>
        {
            ["Storage__Provider"] = "SqlServer",
            ["ConnectionStrings__PharmacyRx"] = $"Server=tcp:127.0.0.1,{port};Database=pharmacyrx;User ID=pharmacyrx;Password=synthetic-1;Encrypt=false;Connect Timeout=2",
        });

        Assert.That(exit, Is.EqualTo(3), error);
        Assert.That(error, Does.Contain("cannot open the database: SQL Server tcp:127.0.0.1," + port));
        Assert.That(output, Is.Empty, "no administrator password is printed for an installation that was not made");
        var written = Directory.Exists(data.Root) ? Directory.GetFiles(data.Root, "*", SearchOption.AllDirectories) : [];
        Assert.That(written.Where(f => f.EndsWith(".db", StringComparison.Ordinal) || f.Contains(".db-", StringComparison.Ordinal)), Is.Empty, "no SQLite file on SqlServer");
        Assert.That(File.Exists(data.KeyPath), Is.False, "init can be run again once the server is there");
    }

    [TestCase("verify")]
    [TestCase("serve")]
    public async Task A_data_folder_initialized_for_SQL_Server_holds_no_database_file_and_its_verbs_go_to_the_server(string verb)
    {
        var port = ClosedPort();
        // What init leaves on SQL Server: the keys and their history, no database file.
        var data = new DataFolder(Path.Combine(_pharmacy.Folder, $"keys-only-{port}"));
        Directory.CreateDirectory(data.KeysFolder);
        foreach (var file in Directory.GetFiles(_pharmacy.Data.KeysFolder))
        {
            File.Copy(file, Path.Combine(data.KeysFolder, Path.GetFileName(file)));
        }

        var (exit, _, error) = await ChildProgram.RunAsync([verb, "--data", data.Root], environment: new Dictionary<string, string>
        {
            ["Storage__Provider"] = "SqlServer",
            ["ConnectionStrings__PharmacyRx"] = $"Server=tcp:127.0.0.1,{port};Database=pharmacyrx;User ID=pharmacyrx;Password=synthetic-1;Encrypt=false;Connect Timeout=2",
        });

        Assert.That(exit, Is.EqualTo(3), error);
        Assert.That(error, Does.Contain("cannot open the database: SQL Server tcp:127.0.0.1," + port), "initialized: the verb goes to the server");
        Assert.That(Directory.GetFiles(data.Root, "*.db*", SearchOption.AllDirectories), Is.Empty, "no SQLite file on SqlServer");
    }

    [TestCase("SqlServer", null, "Storage:Provider is SqlServer but ConnectionStrings:PharmacyRx is not set")]
    [TestCase("Postgres", null, "Storage:Provider is 'Postgres'; it is Sqlite or SqlServer")]
    [TestCase("SqlServer", "Server=tcp:127.0.0.1,1;Nonsense Keyword=1", "ConnectionStrings:PharmacyRx is not a SQL Server connection string")]
    public async Task A_storage_setting_that_names_no_usable_database_stops_the_service_before_it_starts(string provider, string? connectionString, string reason)
    {
        var environment = new Dictionary<string, string> { ["Storage__Provider"] = provider };
        if (connectionString is not null)
        {
            environment["ConnectionStrings__PharmacyRx"] = connectionString;
        }

        var (exit, _, error) = await ChildProgram.RunAsync(["serve", "--data", _pharmacy.Data.Root], environment: environment);

        Assert.That(exit, Is.EqualTo(3), error);
        Assert.That(error, Does.StartWith("error: " + reason));
        Assert.That(Sha256(_pharmacy.Data.DatabasePath), Is.EqualTo(_databaseSha256));
    }

    // A port nothing listens on: bound, then released.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
