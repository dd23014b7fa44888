using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// The SQLite side of <see cref="CoverageRecorder"/>: where <see cref="CoverageTriggers"/> leave their marks (a TEMP table)
/// and the rows a transaction appended (by rowid, from <see cref="AppendedRows"/>). Part of the SQLite dialect.
/// </summary>
internal static class CoverageMarks
{
    public const string Pending = "SELECT table_name, row_key, before FROM temp.coverage_pending ORDER BY table_name, row_key";

    public const string Clear = "DELETE FROM temp.coverage_pending";

    public const string Installed = "SELECT COUNT(*) FROM temp.sqlite_master WHERE name = 'coverage_pending'";

    /// <summary>The rows of a table from the first one this transaction appended, in rowid order.</summary>
    public static string AppendedSince(CoveredTable table, string rowText) =>
        $"SELECT {table.KeyExpression()}, {rowText} FROM {table.Name} WHERE rowid >= @First ORDER BY rowid";

    /// <summary>This connection's marks of appended rows (first rowid and count, by table), taken.</summary>
    public static Dictionary<string, (long First, int Count)> TakeAppended(DbConnection connection) =>
        AppendedRows.Take(((SqliteConnection)connection).Handle!);
}
