using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// SQLite's marks for <see cref="CoverageRecorder"/>: the TEMP table that <see cref="CoverageTriggers"/> fill for the
/// mutable tables, and the rows a transaction appended (by rowid, from <see cref="AppendedRows"/>). Part of the SQLite dialect.
/// </summary>
internal sealed class SqliteCoverageMarks(ISqlDialect dialect) : ICoverageMarks
{
    public Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => CoverageTriggers.InstallAsync(connection, cancellationToken);

    // TEMP triggers belong to each connection and are made as it opens (PrepareAsync): the schema needs nothing.
    public Task<IReadOnlyList<Core.Audit.AuditEvent>> InstallAsync(DbConnection connection, DbTransaction transaction, DateTimeOffset at, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Core.Audit.AuditEvent>>([]);

    // TEMP triggers exist only on the connection that made them: no one else can alter or disable them.
    public Task<IReadOnlyList<string>> TamperedAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    public string Installed => "SELECT COUNT(*) FROM temp.sqlite_master WHERE name = 'coverage_pending'";

    public string Pending => "SELECT table_name, row_key, before FROM temp.coverage_pending ORDER BY table_name, row_key";

    public string Clear => "DELETE FROM temp.coverage_pending";

    public IReadOnlyDictionary<string, (long First, int Count)> TakeAppended(DbConnection connection) =>
        AppendedRows.Take(((SqliteConnection)connection).Handle!);

    // Every row from the first one this transaction appended is its own: it holds the one write lock, and a new rowid is
    // above every existing one.
    public string Appended(CoveredTable table, IReadOnlyList<RowColumn> columns) =>
        $"SELECT {table.KeyExpression()}, {dialect.RowText(columns)} FROM {table.Name} WHERE rowid >= @First ORDER BY rowid";

    // One writer at a time, each appending above every existing rowid and recording its rows in the same transaction, in
    // rowid order: the rowid order of an append-only table is the order of its RowsCovered events.
    public string? InChainOrder(CoveredTable table, IReadOnlyList<RowColumn> columns) =>
        $"SELECT {table.KeyExpression()}, {dialect.RowText(columns)} FROM {table.Name} ORDER BY rowid";

    public string ExistingTables => "SELECT name FROM main.sqlite_master WHERE type = 'table'";

    public string BaselinePage(CoveredTable table, IReadOnlyList<RowColumn> columns, bool first) =>
        $"SELECT rowid, {table.KeyExpression()}, {dialect.RowText(columns)} FROM {table.Name} {(first ? "" : "WHERE rowid > @After")} ORDER BY rowid LIMIT @Count";
}
