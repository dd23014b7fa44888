using System.Data.Common;
using PharmacyRx.Storage.Export;

namespace PharmacyRx.Storage;

/// <summary>
/// Everything that differs between the databases this service runs on, in one place: SQLite, the embedded default, and
/// SQL Server, for a chain's several instances on one database. Statements elsewhere are SQL both engines run,
/// with the fragments below where they differ; a test fails when a SQLite-only construct appears outside the SQLite dialect.
/// </summary>
public interface ISqlDialect
{
    /// <summary>The folder under <c>schemas/sql/</c> holding this dialect's scripts.</summary>
    string Name { get; }

    /// <summary>The server or file a connection goes to, for messages (never the credentials).</summary>
    string Target { get; }

    /// <summary>Creates a closed connection to the configured database.</summary>
    DbConnection CreateConnection();

    /// <summary>Per-connection settings run once after each open (SQLite pragmas and coverage triggers, say).</summary>
    Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>DDL creating the migrations journal if it does not exist.</summary>
    string MigrationsJournalDdl { get; }

    /// <summary>A schema script cut into the batches the engine runs one by one (SQL Server: at each <c>GO</c> line).</summary>
    IReadOnlyList<string> Batches(string script);

    /// <summary>After an <c>ORDER BY</c>: only the first <paramref name="count"/> rows (an expression or parameter).</summary>
    string FirstRows(string count);

    /// <summary>After an <c>ORDER BY</c>: <paramref name="limit"/> rows after skipping <paramref name="offset"/>.</summary>
    string Page(string limit, string offset);

    /// <summary>
    /// After a text comparison whose columns do not ignore case themselves: SQLite's per-expression collation; empty on
    /// SQL Server, whose columns ignore case through their collation (search is case-insensitive by the column).
    /// </summary>
    string IgnoreCase { get; }

    /// <summary>
    /// After an <c>INSERT … VALUES (…)</c> into a table whose key makes a repeated row a no-op (0 rows affected): SQLite's
    /// conflict clause; empty on SQL Server, where those keys are declared with <c>IGNORE_DUP_KEY = ON</c>.
    /// </summary>
    string IgnoreDuplicateKey { get; }

    /// <summary>
    /// A statement making the writing transaction the one writer of the archive and the audit chain until it ends; empty
    /// where the transaction already is (SQLite: BEGIN IMMEDIATE holds the one write lock). SQL Server: the chain's
    /// application lock, so instances on one database take turns, each turn a group commit of many messages.
    /// </summary>
    string ExclusiveWriter { get; }

    /// <summary>A statement reading the id the previous <c>INSERT</c> in this batch gave its identity column.</summary>
    string SelectInsertedId { get; }

    /// <summary>
    /// True when the connection records the rows each transaction appends for coverage (SQLite's update hook), so the
    /// writer may hash the rows it inserts from their values; false where coverage reads rows back or is not kept.
    /// </summary>
    bool WatchesAppendedRows(DbConnection connection);

    /// <summary>
    /// The id the connection's last <c>INSERT</c> gave its identity column, read without another statement where the
    /// engine keeps it on the connection (SQLite); asked only where <see cref="WatchesAppendedRows"/> is true.
    /// </summary>
    long LastInsertedId(DbConnection connection);

    /// <summary>An aggregate joining a text column's values with commas, in the column's order.</summary>
    string JoinSorted(string column);

    /// <summary>Inserts or replaces one row by its key (each column bound as the parameter <c>@column</c>).</summary>
    string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns);

    /// <summary>
    /// Reads the audit chain's head (sequence, hash) inside the writing transaction so that no other writer can append
    /// until it commits: two writers never fork the chain (1311.205(b)(16)).
    /// </summary>
    string AuditHeadForAppend { get; }

    /// <summary>Begins a read-only transaction that sees one moment of the database while writers go on.</summary>
    Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Reads an inspector's export rows from a statement, streaming, into a sorter.</summary>
    IExportRowReader ExportRows { get; }

    /// <summary>How the service's own connections mark the rows of covered tables they write, for the audit chain.</summary>
    Audit.ICoverageMarks Coverage { get; }

    /// <summary>
    /// The SQL expression rendering a row's columns as one text for <c>RowHasher</c>: each value as an SQL literal (text
    /// quoted with quotes doubled, a BLOB as <c>X'HEX'</c>, an integer in decimal, NULL as <c>NULL</c>), comma-separated;
    /// the same text on both engines. <paramref name="row"/> qualifies the columns (a trigger's OLD row, an alias).
    /// </summary>
    string RowText(IEnumerable<Audit.RowColumn> columns, string? row = null);

    /// <summary>
    /// After a text expression: compare and join it as its exact characters, whatever its column's collation (SQL Server's
    /// binary collation; empty on SQLite, whose text already is).
    /// </summary>
    string ExactText { get; }

    /// <summary>The name of the file a backup folder holds for the database (SQLite: the copy; SQL Server: where the server put it).</summary>
    string BackupFileName { get; }

    /// <summary>
    /// The statement a DBA runs to restore the backup whose <see cref="BackupFileName"/> is given, when the service must not
    /// restore it itself (SQL Server); null when <c>backup restore</c> copies the file (SQLite).
    /// </summary>
    Task<string?> RestoreStatementAsync(string backupFile, CancellationToken cancellationToken);

    /// <summary>
    /// Copies the live database to a file while others keep writing (SQLite's online backup API), then checks the copy's
    /// integrity; returns the integrity check's answer ("ok" when sound).
    /// </summary>
    Task<string> BackupAsync(string destinationPath, CancellationToken cancellationToken);

    /// <summary>Runs the integrity check on a backup's database file (<see cref="BackupFileName"/>); "ok" when sound.</summary>
    Task<string> CheckIntegrityAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Sets a reused parameter's value (NULL for null) and whatever else the engine needs of it: SQL Server declares a text
    /// or binary parameter's size, so one statement keeps one plan however long its values are.
    /// </summary>
    void Bind(DbParameter parameter, object? value);

    /// <summary>True for faults worth retrying: the database busy or locked, a dropped connection.</summary>
    bool IsTransient(Exception exception);

    /// <summary>
    /// The engine's name for a storage fault (disk full, I/O error, read-only, lock not granted in time, connection lost
    /// or failed over), or null when <paramref name="exception"/> is not one: a fault of the storage, never of a message.
    /// </summary>
    string? StorageFaultOf(Exception exception);

    /// <summary>True when an insert was refused by a unique key: for the archive, the duplicate answer, not a failure.</summary>
    bool IsDuplicateKey(Exception exception);

    /// <summary>
    /// The engine's ledger digest now (SQL Server: <c>sys.sp_generate_database_ledger_digest</c>), kept in each signed chain
    /// head where someone with the database cannot rewrite it; null on an engine without a ledger (SQLite).
    /// </summary>
    Task<string?> LedgerDigestAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>
    /// Checks the database against the ledger digests kept in the signed chain heads (SQL Server: all of them at once to
    /// <c>sys.sp_verify_database_ledger</c>); the problems found, none when there are no digests or no ledger (SQLite).
    /// </summary>
    Task<IReadOnlyList<string>> VerifyLedgerAsync(IReadOnlyList<string> storedDigests, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);
}
