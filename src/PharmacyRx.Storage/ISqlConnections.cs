using System.Data.Common;
using PharmacyRx.Storage.Export;

namespace PharmacyRx.Storage;

/// <summary>
/// Connections to the engine, their snapshot transactions and parameters, and what its errors mean (transient,
/// a storage fault, a duplicate key); the engine's own export reader and coverage marks.
/// </summary>
public interface ISqlConnections
{
    /// <summary>The folder under <c>schemas/sql/</c> holding this dialect's scripts.</summary>
    string Name { get; }

    /// <summary>The server or file a connection goes to, for messages (never the credentials).</summary>
    string Target { get; }

    /// <summary>Creates a closed connection to the configured database.</summary>
    DbConnection CreateConnection();

    /// <summary>Per-connection settings run once after each open (SQLite pragmas and coverage triggers, say).</summary>
    Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken);

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

    /// <summary>Begins a read-only transaction that sees one moment of the database while writers go on.</summary>
    Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Reads an inspector's export rows from a statement, streaming, into a sorter.</summary>
    IExportRowReader ExportRows { get; }

    /// <summary>How the service's own connections mark the rows of covered tables they write, for the audit chain.</summary>
    Audit.ICoverageMarks Coverage { get; }

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
}
