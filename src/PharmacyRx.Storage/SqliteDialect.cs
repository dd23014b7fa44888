using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace PharmacyRx.Storage;

/// <summary>SQLite: one file, WAL journal, <c>synchronous=FULL</c> so a commit survives power loss.</summary>
public sealed class SqliteDialect : ISqlDialect
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    private readonly string _connectionString;

    public SqliteDialect(string databasePath)
    {
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Seconds a statement waits on another writer's lock (CLI ingest beside a running service).
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    public string Name => "sqlite";

    public DbConnection CreateConnection() => new SqliteConnection(_connectionString);

    public async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        const string sql = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA foreign_keys = ON;
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, cancellationToken: cancellationToken));
    }

    public async Task<string> BackupAsync(string destinationPath, CancellationToken cancellationToken)
    {
        await using (var source = (SqliteConnection)CreateConnection())
        await using (var destination = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = destinationPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString()))
        {
            await source.OpenAsync(cancellationToken);
            await destination.OpenAsync(cancellationToken);
            // One read snapshot of the source (WAL: writers go on meanwhile), copied off the caller's thread: it is long.
            await Task.Run(() => source.BackupDatabase(destination), cancellationToken);
            await destination.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = DELETE", cancellationToken: cancellationToken));
        }
        return await CheckIntegrityAsync(destinationPath, cancellationToken);
    }

    public async Task<string> CheckIntegrityAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        await connection.OpenAsync(cancellationToken);
        var answers = await connection.QueryAsync<string>(new CommandDefinition("PRAGMA integrity_check", cancellationToken: cancellationToken));
        return string.Join("; ", answers);
    }

    public string MigrationsJournalDdl => """
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version    INTEGER NOT NULL PRIMARY KEY,
          name       TEXT    NOT NULL,
          sha256     TEXT    NOT NULL,
          applied_at TEXT    NOT NULL
        );
        """;

    public bool IsTransient(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };
}
