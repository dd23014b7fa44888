using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Testing;
using Testcontainers.MsSql;

namespace PharmacyRx.Storage.Tests.Providers;

/// <summary>
/// A migrated, empty database of one provider, for the storage suite run against each (as Dapper's tests run against
/// each database). SQLite always: a file in a temp folder. SQL Server: a fresh database on the server that
/// <see cref="Variable"/> names, or in a container when a Docker engine is reachable; else the case reports itself
/// skipped with the reason. <see cref="IntruderAsync"/> is someone with access to the database behind the service's back.
/// </summary>
internal sealed partial class ProviderStore : IAsyncDisposable
{
    public const string Sqlite = "Sqlite";
    public const string SqlServer = "SqlServer";

    /// <summary>A connection string to a SQL Server the tests may create and drop databases on.</summary>
    public const string Variable = "PHARMACYRX_TEST_SQLSERVER";

    private static readonly Lazy<Task<string?>> Container = new(StartContainerAsync);

    private readonly TempFolder? _folder;
    private readonly string? _server;
    private readonly string? _databaseName;
    private readonly Func<Database> _open;
    private readonly Func<DbConnection> _raw;

    private ProviderStore(Func<Database> open, Func<DbConnection> raw, TempFolder? folder = null, string? server = null, string? databaseName = null)
    {
        _open = open;
        _raw = raw;
        _folder = folder;
        _server = server;
        _databaseName = databaseName;
        Database = open();
    }

    public static IEnumerable<string> Names => [Sqlite, SqlServer];

    public Database Database { get; }

    /// <summary>A second, independent handle on the same database, as another instance of the service would have.</summary>
    public Database OpenAnother() => _open();

    public bool IsSqlServer => _server is not null;

    /// <summary>
    /// An open connection the service did not prepare, as an intruder with the database file or a login would have:
    /// SQLite without the service's TEMP coverage triggers and update hook, SQL Server without its session's coverage marks.
    /// </summary>
    public async Task<DbConnection> IntruderAsync()
    {
        var connection = _raw();
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The statement an intruder runs to switch off a table's guard triggers (SQLite: drops them).</summary>
    public string WithoutTriggers(string table, params string[] triggers) => IsSqlServer
        ? $"DISABLE TRIGGER {string.Join(", ", triggers.Select(t => "dbo." + t))} ON dbo.{table}"
        : string.Join(";\n", triggers.Select(t => $"DROP TRIGGER {t}"));

    public ArchiveWriter Writer(Database? database = null) =>
        new(database ?? Database, new ArchiveWriterOptions(), NullLogger<ArchiveWriter>.Instance);

    public static ArchiveEntry Entry(string messageId) => UnsealedEntry.From(new SyntheticNewRx { MessageId = messageId }.ToBytes());

    /// <summary>A migrated store of the provider; on SQL Server without a server, the test is reported skipped with the reason.</summary>
    public static async Task<ProviderStore> CreateAsync(string provider)
    {
        ProviderStore store;
        if (provider == Sqlite)
        {
            var folder = new TempFolder();
            var path = folder.File("test.db");
            store = new ProviderStore(() => new Database(new SqliteDialect(path), TestChainKeys.Ring()),
                () => new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()), folder);
        }
        else
        {
            var server = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given ? given : await Container.Value;
            if (server is null)
            {
                Assert.Ignore($"SQL Server cases skipped: {Variable} is not set and no Docker engine is reachable for Testcontainers.MsSql");
            }
            var name = $"pharmacyrx_test_{Guid.NewGuid():N}";
            await using (var master = new SqlConnection(server))
            {
                await master.OpenAsync();
                // Names are generated here, never taken from input; CREATE DATABASE takes no parameters.
                await master.ExecuteAsync($"CREATE DATABASE [{name}]");
                await master.ExecuteAsync($"ALTER DATABASE [{name}] SET ALLOW_SNAPSHOT_ISOLATION ON");
            }
            var connectionString = new SqlConnectionStringBuilder(server) { InitialCatalog = name }.ConnectionString;
            store = new ProviderStore(() => new Database(new SqlServerDialect(connectionString), TestChainKeys.Ring()), () => new SqlConnection(connectionString),
                server: server, databaseName: name);
        }
        await new SchemaMigrator(store.Database, TimeProvider.System).MigrateAsync(CancellationToken.None);
        return store;
    }

    public async ValueTask DisposeAsync()
    {
        _folder?.Dispose();
        if (_server is not null)
        {
            SqlConnection.ClearAllPools();
            await using var master = new SqlConnection(_server);
            await master.OpenAsync();
            await master.ExecuteAsync($"ALTER DATABASE [{_databaseName}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{_databaseName}]");
        }
    }

    // A Docker engine is reachable when DOCKER_HOST names one or the default socket exists; this machine has neither.
    private static async Task<string?> StartContainerAsync()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")) && !File.Exists("/var/run/docker.sock"))
        {
            return null;
        }
        var container = new MsSqlBuilder("mcr.microsoft.com/mssql/server:2022-latest").Build();
        await container.StartAsync();
        return container.GetConnectionString();
    }
}
