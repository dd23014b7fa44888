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
