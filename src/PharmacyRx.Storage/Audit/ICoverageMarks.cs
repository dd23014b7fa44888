using System.Data.Common;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// How a dialect marks the covered rows the service's own connections write, for <see cref="CoverageRecorder"/> to
/// record at commit (1311.205(b)(16), 1311.215(a)(2), (a)(5)). Marks exist only on the service's connections, so anyone
/// else's write is never recorded and shows to <c>verify</c> and the rules as a row the chain does not hold.
/// </summary>
public interface ICoverageMarks
{
    /// <summary>Readies a connection just opened to mark what it writes (nothing before the coverage schema exists).</summary>
    Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// After the schema scripts ran: installs what the tables need to mark rows (SQL Server: their triggers), and returns the
    /// audit events to record with it: what it had to put right that someone else had changed (a trigger altered, disabled
    /// or dropped), and what it wrote.
    /// </summary>
    Task<IReadOnlyList<Core.Audit.AuditEvent>> InstallAsync(DbConnection connection, DbTransaction transaction, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// What is wrong with the objects that mark rows (SQL Server: a covered table's trigger missing, disabled or altered);
    /// none where they belong to the service's own connections (SQLite's TEMP triggers).
    /// </summary>
    Task<IReadOnlyList<string>> TamperedAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>A statement counting more than zero when this connection marks rows.</summary>
    string Installed { get; }

    /// <summary>
    /// A statement reading this connection's marks, in (table, key) order: <c>table_name</c>, <c>row_key</c> and
    /// <c>before</c>, the row's text (<see cref="ISqlText.RowText"/>) before the transaction first changed it, NULL when
    /// it did not exist. Rows appended to append-only tables are marked here too where <see cref="TakeAppended"/> does not
    /// know them.
    /// </summary>
    string Pending { get; }

    /// <summary>A statement forgetting this connection's marks once they are read.</summary>
    string Clear { get; }

    /// <summary>
    /// The first row (by the engine's row id) and count of rows each append-only table received in this transaction,
    /// taken; empty where the engine has no such hook and the rows are among the <see cref="Pending"/> marks instead.
    /// </summary>
    IReadOnlyDictionary<string, (long First, int Count)> TakeAppended(DbConnection connection);

    /// <summary>
    /// A statement reading the rows this transaction appended to an append-only table, as (key, row text), with the
    /// parameter <c>@First</c> (the first row id, from <see cref="TakeAppended"/>, where the engine has one).
    /// </summary>
    string Appended(CoveredTable table, IReadOnlyList<RowColumn> columns);

    /// <summary>
    /// A statement reading a covered append-only table as (key, row text) in the order the audit chain recorded its rows, or
    /// null where the engine keeps no such order; <c>verify</c> then compares the two in a sorted scratch store.
    /// </summary>
    string? InChainOrder(CoveredTable table, IReadOnlyList<RowColumn> columns);

    /// <summary>
    /// A statement reading a page of a covered table for its first recording (the baseline): (position, key, row text), at
    /// most <c>@Count</c> rows, in the order <see cref="InChainOrder"/> reads them where it reads any, from the first row
    /// when <paramref name="first"/>, else after <c>@After</c> (the position of the previous page's last row).
    /// </summary>
    string BaselinePage(CoveredTable table, IReadOnlyList<RowColumn> columns, bool first);

    /// <summary>
    /// A statement naming the tables the schema has now. A baseline taken between schema scripts records the covered tables
    /// that exist; a later script's table is recorded from its first row on.
    /// </summary>
    string ExistingTables { get; }
}
