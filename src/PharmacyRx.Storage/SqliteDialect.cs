using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Export;

namespace PharmacyRx.Storage;

/// <summary>SQLite: one file, WAL journal, <c>synchronous=FULL</c> so a commit survives power loss.</summary>
public sealed class SqliteDialect : ISqlDialect
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

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

    public string Target => DatabasePath;

    public DbConnection CreateConnection() => new SqliteConnection(_connectionString);

    public async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        const string sql = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA foreign_keys = ON;
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, cancellationToken: cancellationToken));
        await Coverage.PrepareAsync(connection, cancellationToken);
    }

    public IReadOnlyList<string> Batches(string script) => [script];

    public string FirstRows(string count) => $"LIMIT {count}";

    public string Page(string limit, string offset) => $"LIMIT {limit} OFFSET {offset}";

    public string IgnoreCase => "COLLATE NOCASE";

    public string IgnoreDuplicateKey => "ON CONFLICT DO NOTHING";

    public string ExclusiveWriter => "";

    public string SelectInsertedId => "SELECT last_insert_rowid()";

    public bool WatchesAppendedRows(DbConnection connection) =>
        connection is SqliteConnection { Handle: { } handle } && AppendedRows.IsWatched(handle);

    // Read from the connection without another statement: RETURNING costs the writer more than reading the row back did.
    public long LastInsertedId(DbConnection connection) =>
        SQLitePCL.raw.sqlite3_last_insert_rowid(((SqliteConnection)connection).Handle!);

    // group_concat with ORDER BY inside the aggregate: SQLite 3.44 and later.
    public string JoinSorted(string column) => $"group_concat({column}, ',' ORDER BY {column})";

    public string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns) => $"""
        INSERT INTO {table} ({string.Join(", ", keyColumns.Concat(valueColumns))})
        VALUES ({string.Join(", ", keyColumns.Concat(valueColumns).Select(c => "@" + c))})
        ON CONFLICT ({string.Join(", ", keyColumns)}) DO UPDATE SET {string.Join(", ", valueColumns.Select(c => $"{c} = excluded.{c}"))}
        """;

    // The write transaction (BEGIN IMMEDIATE) already holds SQLite's single write lock: no other writer can append.
    public string AuditHeadForAppend => "SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1";

    // Deferred: a read transaction that takes no write lock, and in WAL mode sees one snapshot while writers go on.
    public Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    public IExportRowReader ExportRows { get; } = new SqliteExportRows();

    public ICoverageMarks Coverage => field ??= new SqliteCoverageMarks(this);


    // quote() renders every type as RowHasher.Text does; as a BLOB, the UTF-8 bytes reach the hash without decoding.
    public string RowText(IEnumerable<RowColumn> columns, string? row = null) =>
        $"CAST(concat_ws(',', {string.Join(", ", columns.Select(c => $"quote({(row is null ? "" : row + ".")}{c.Name})"))}) AS BLOB)";

    public string ExactText => "";

    public string ThroughIndex(string index) => $"INDEXED BY {index}";

    // 0093_create_patient_name_fts.sql: a contentless FTS5 table with prefix indexes of one to three characters. Each word
    // is a quoted prefix term ("ber"*), all of them required; a word holds only letters and digits (SearchKey.Words).
    public NameWordsIndex? NameWords { get; } = new(
        """
        INSERT INTO patient_name_fts (rowid, words) VALUES (@Number, @Words)
        """,
        """
        SELECT COALESCE(MAX(rowid), 0) FROM patient_name_fts
        """,
        """
        SELECT m.received_at, m.prescription_number FROM prescriptions m
        WHERE m.prescription_number IN (SELECT rowid FROM patient_name_fts WHERE patient_name_fts MATCH @NameMatch)
        """,
        """
        SELECT m.received_at, m.prescription_number FROM prescriptions m
        WHERE m.prescription_number IN (
          SELECT rowid FROM patient_name_fts WHERE patient_name_fts MATCH @NameMatch ORDER BY rowid DESC LIMIT @Candidates)
        """,
        words => string.Join(' ', words.Select(word => $"\"{word.Replace("\"", "", StringComparison.Ordinal)}\"*")));

    public string BackupFileName => "pharmacyrx.db";

    public Task<string?> RestoreStatementAsync(string backupFile, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

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

    // SQLite takes a value as it is (a size set here would cut it).
    public void Bind(DbParameter parameter, object? value) => parameter.Value = value ?? DBNull.Value;

    public bool IsTransient(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };

    public string? StorageFaultOf(Exception exception) => exception is SqliteException sqlite
        ? sqlite.SqliteErrorCode switch
        {
            SqliteFull => "disk full (SQLITE_FULL)",
            SqliteIoError => "I/O error (SQLITE_IOERR)",
            SqliteReadOnly => "read-only file system (SQLITE_READONLY)",
            SqliteCantOpen => "database file cannot be opened (SQLITE_CANTOPEN)",
            SqliteBusy => "lock not granted in time (SQLITE_BUSY)",
            SqliteLocked => "lock not granted in time (SQLITE_LOCKED)",
            _ => null,
        }
        : null;

    public bool IsDuplicateKey(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteConstraintUnique or SqliteConstraintPrimaryKey };
}
