using System.Data;
using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.SqlClient;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Export;

namespace PharmacyRx.Storage;

/// <summary>
/// SQL Server 2022 or Azure SQL, for a chain running several instances on one database. Case-insensitive
/// search comes from the columns' collation, repeated rows from keys declared <c>IGNORE_DUP_KEY</c>, prescription numbers
/// from a <c>SEQUENCE</c>, and the append-only tables are ledger tables (schemas/sql/sqlserver/).
/// </summary>
public sealed partial class SqlServerDialect : ISqlDialect
{
    // Errors worth a retry: deadlock victim, lock timeout, snapshot update conflict, a dropped or throttled connection, a
    // command timed out (-2), and the chain's lock not granted in time (ChainLockNotGranted): another instance's long turn.
    private static readonly HashSet<int> TransientNumbers = [1205, 1222, 3960, 40197, 40501, 40613, 49918, 49919, 49920, 4060, 233, 64, 10053, 10054, 10060, -2, ChainLockNotGranted];

    private const int ChainLockNotGranted = 51000;

    // The database or its log has no room: 1105 (filegroup full), 9002 (log full), 1101 (no pages for a new extent).
    private static readonly HashSet<int> FullNumbers = [1105, 9002, 1101];

    // A lock not granted in time: deadlock victim, lock timeout, snapshot conflict, the chain's lock.
    private static readonly HashSet<int> LockNumbers = [1205, 1222, 3960, ChainLockNotGranted];

    // 823/824/825: the server read or wrote its files and the operating system or the page check failed.
    private static readonly HashSet<int> IoNumbers = [823, 824, 825];

    private readonly string _connectionString;

    private readonly string? _serverBackupFolder;

    /// <param name="connectionString">ConnectionStrings:PharmacyRx.</param>
    /// <param name="serverBackupFolder">Backup:ServerFolder: a folder on the database server that the server can write.</param>
    public SqlServerDialect(string connectionString, string? serverBackupFolder = null)
    {
        _serverBackupFolder = serverBackupFolder;
        var builder = new SqlConnectionStringBuilder(connectionString);
        if (builder.ConnectTimeout is 0 or > 30)
        {
            // A server that cannot be reached is named within a minute, never waited on for ever.
            builder.ConnectTimeout = 30;
        }
        builder.ConnectRetryCount = Math.Min(builder.ConnectRetryCount, 1);
        // Code written for SQLite may read one result while it asks another on the same connection; SQL Server allows that
        // only with MARS. The stores avoid it, but a path no test here can run on SQL Server must not fail for it.
        builder.MultipleActiveResultSets = true;
        builder.ApplicationName = string.IsNullOrEmpty(builder.ApplicationName) || builder.ApplicationName == "Core Microsoft SqlClient Data Provider"
            ? "PharmacyRx"
            : builder.ApplicationName;
        _connectionString = builder.ConnectionString;
        Target = $"SQL Server {builder.DataSource}, database {(string.IsNullOrEmpty(builder.InitialCatalog) ? "(default)" : builder.InitialCatalog)}";
    }

    public string Name => "sqlserver";

    public string Target { get; }

    public DbConnection CreateConnection() => new SqlConnection(_connectionString);

    public Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Coverage.PrepareAsync(connection, cancellationToken);

    public string MigrationsJournalDdl => """
        IF OBJECT_ID(N'dbo.schema_migrations', N'U') IS NULL
        CREATE TABLE dbo.schema_migrations (
          version    int           NOT NULL PRIMARY KEY,
          name       nvarchar(200) NOT NULL,
          sha256     char(64)      NOT NULL,
          applied_at nvarchar(40)  NOT NULL
        );
        """;

    // A GO line ends a batch (as sqlcmd and SSMS read scripts); GO is not T-SQL, the server never sees it.
    public IReadOnlyList<string> Batches(string script) =>
        GoLine().Split(script).Where(batch => !string.IsNullOrWhiteSpace(batch)).Select(batch => batch.Trim()).ToArray();

    public string FirstRows(string count) => $"OFFSET 0 ROWS FETCH NEXT {count} ROWS ONLY";

    public string Page(string limit, string offset) => $"OFFSET {offset} ROWS FETCH NEXT {limit} ROWS ONLY";

    public string IgnoreCase => "";

    public string IgnoreDuplicateKey => "";


    public string SelectInsertedId => "SELECT CAST(SCOPE_IDENTITY() AS bigint)";

    // No update hook: the recorder reads back the rows the triggers marked, so the writer does not hash from values here.
    public bool WatchesAppendedRows(DbConnection connection) => false;

    public long LastInsertedId(DbConnection connection) =>
        throw new NotSupportedException("SQL Server returns inserted ids from the statement (SelectInsertedId)");

    // nvarchar(max): STRING_AGG of a bounded column stops at 8,000 bytes.
    public string JoinSorted(string column) => $"STRING_AGG(CONVERT(nvarchar(max), {column}), ',') WITHIN GROUP (ORDER BY {column})";

    public string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns) => $"""
        MERGE {table} WITH (HOLDLOCK) AS t
        USING (SELECT {string.Join(", ", keyColumns.Concat(valueColumns).Select(c => $"@{c} AS {c}"))}) AS s
        ON {string.Join(" AND ", keyColumns.Select(c => $"t.{c} = s.{c}"))}
        WHEN MATCHED THEN UPDATE SET {string.Join(", ", valueColumns.Select(c => $"t.{c} = s.{c}"))}
        WHEN NOT MATCHED THEN INSERT ({string.Join(", ", keyColumns.Concat(valueColumns))}) VALUES ({string.Join(", ", keyColumns.Concat(valueColumns).Select(c => "s." + c))});
        """;

    // 1311.205(b)(16): one chain for every instance. An application lock owned by the transaction serialises appenders
    // until commit; an UPDLOCK on the newest row would not do (the next writer's range lock above it deadlocks with the
    // inserts), and one chain per instance would need a signed merge that verify and the daily report do not know.
    // Taken again by a transaction that holds it already (the archive writer's), it is granted at once.
    public string AuditHeadForAppend => $"""
        {ExclusiveWriter}
        SELECT TOP (1) sequence, hash FROM audit_events ORDER BY sequence DESC;
        """;

    // The archive writer takes it before its look-ups: a message two instances receive at once is looked up by the second
    // only after the first committed it, and no look-up can deadlock with another instance's insert.
    // It also makes the session's coverage marks table (SqlServerCoverageMarks.PendingTable) where it is missing: sent as a
    // plain batch (Database.BeginWriteAsync passes no parameters), so the table outlives the statement. The lock is waited
    // for 20 s, less than the 30 s a command may run, so a long turn of another instance ends as the retried error below,
    // never as a timeout halfway through.
    public string ExclusiveWriter => $"""
        {SqlServerCoverageMarks.PendingTable}
        DECLARE @lock int;
        EXEC @lock = sp_getapplock @Resource = N'pharmacyrx.audit_chain', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 20000;
        IF @lock < 0 THROW {ChainLockNotGranted}, N'audit chain lock not granted', 1;
        """;

    // Row versioning (ALLOW_SNAPSHOT_ISOLATION, which deploy/sqlserver/init.sql sets): one moment of the database, without
    // blocking writers. SqlClient keeps the level on the pooled connection, so every write transaction names its own.
    public async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.Snapshot, cancellationToken);

    public IExportRowReader ExportRows { get; } = new DataReaderExportRows();

    public ICoverageMarks Coverage => field ??= new SqlServerCoverageMarks(this);

    /// <summary>Text compared and joined as its exact characters (<see cref="ExactText"/>).</summary>
    public const string BinaryCollation = "COLLATE Latin1_General_100_BIN2";

    public string ExactText => BinaryCollation;

    public string ThroughIndex(string index) => "";

    public NameWordsIndex? NameWords => null;

    // Each value rendered as SQLite's quote() renders it (RowHasher.Text), so a row's text is the same on both engines;
    // nvarchar(max) throughout, so a long row is never cut at 4,000 characters. Every text is taken in the binary
    // collation: columns of different collations (names ignore case, keys do not) cannot be joined otherwise, and REPLACE
    // must double only the apostrophe itself (a case- and width-insensitive one also takes U+FF07 for it).
    public string RowText(IEnumerable<RowColumn> columns, string? row = null)
    {
        var values = columns.Select(column => (Name: row is null ? column.Name : $"{row}.{column.Name}", column.Type)).Select(column =>
            column.Type == typeof(string) ? $"ISNULL(N'''' + REPLACE(CONVERT(nvarchar(max), {column.Name}) {ExactText}, N'''', N'''''') + N'''', N'NULL')"
            : column.Type == typeof(long) || column.Type == typeof(int) ? $"ISNULL(CONVERT(nvarchar(max), {column.Name}), N'NULL')"
            : column.Type == typeof(byte[]) ? $"ISNULL(N'X''' + CONVERT(varchar(max), {column.Name}, 2) + N'''', N'NULL')"
            : throw new NotSupportedException($"no SQL literal rendering for column {column.Name} of type {column.Type.Name}")).ToArray();
        // CONCAT_WS takes a separator and at least two values.
        return values.Length == 1 ? values[0] : $"CONCAT_WS(N',', {string.Join(", ", values)})";
    }

    // Left to itself, SqlClient declares each text as nvarchar(its length): a new plan for nearly every archived message.
    // Two sizes instead: the largest bounded one, or max.
    // The type is set from the value and kept for a NULL, so a NULL in a binary column is not sent as text (no implicit
    // conversion from nvarchar to varbinary, even of NULL).
    public void Bind(DbParameter parameter, object? value)
    {
        parameter.Value = value ?? DBNull.Value;
        switch (value)
        {
            case string text:
                (parameter.DbType, parameter.Size) = (DbType.String, text.Length <= 4000 ? 4000 : -1);
                break;
            case byte[] bytes:
                (parameter.DbType, parameter.Size) = (DbType.Binary, bytes.Length <= 8000 ? 8000 : -1);
                break;
            case long:
                (parameter.DbType, parameter.Size) = (DbType.Int64, 0);
                break;
            case int:
                (parameter.DbType, parameter.Size) = (DbType.Int32, 0);
                break;
            case null:
                break;
            default:
                parameter.ResetDbType();
                parameter.Size = 0;
                break;
        }
    }

    public bool IsTransient(Exception exception) =>
        exception is SqlException sql && sql.Errors.Cast<SqlError>().Any(error => TransientNumbers.Contains(error.Number));

    public string? StorageFaultOf(Exception exception)
    {
        if (exception is not SqlException sql)
        {
            return null;
        }
        foreach (var number in sql.Errors.Cast<SqlError>().Select(error => error.Number).Prepend(sql.Number))
        {
            var fault = number switch
            {
                _ when FullNumbers.Contains(number) => "disk full",
                _ when IoNumbers.Contains(number) => "I/O error",
                3906 => "read-only database", // the database is read-only
                _ when LockNumbers.Contains(number) => "lock not granted in time",
                _ when TransientNumbers.Contains(number) => "connection lost or failed over",
                _ => null,
            };
            if (fault is not null)
            {
                return $"{fault} (SQL Server error {number})";
            }
        }
        return null;
    }

    // 2627: a PRIMARY KEY or UNIQUE constraint; 2601: a unique index.
    public bool IsDuplicateKey(Exception exception) => exception is SqlException { Number: 2627 or 2601 };

    [GeneratedRegex(@"^\s*GO\s*(?:--[^\n]*)?$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex GoLine();
}
