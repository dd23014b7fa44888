using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// SQLite's <see cref="ICoverageMarks"/> (SQL Server's is <see cref="SqlServerCoverageMarks"/>): TEMP triggers for
/// small mutable tables, the update hook for append-only ones (<see cref="AppendedRows"/>), only on the service's own
/// connections, so another writer's row (sqlite3) is never recorded and shows as one the chain does not hold.
/// </summary>
internal static class CoverageTriggers
{
    /// <summary>
    /// For bench/PharmacyRx.Benchmarks alone, to measure ingest with and without coverage in one run: true leaves new
    /// connections without the triggers and the hook, so nothing is recorded. Never set by the service.
    /// </summary>
    internal static bool DisabledForBenchmark { get; set; }

    public static async Task InstallAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (DisabledForBenchmark)
        {
            return;
        }
        const string existing = """
            SELECT name FROM main.sqlite_master WHERE type = 'table'
            UNION ALL
            SELECT name FROM temp.sqlite_master WHERE type IN ('table', 'trigger')
            """;
        var names = (await connection.QueryAsync<string>(new CommandDefinition(existing, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        if (!names.Contains("coverage_rows"))
        {
            // Not migrated yet: nothing is recorded until the coverage schema exists.
            return;
        }
        var sql = new List<string>();
        if (!names.Contains("coverage_pending"))
        {
            // In memory: the marks live only for the length of a transaction.
            sql.Add("PRAGMA temp_store = MEMORY");
            // before: the row as it was before this transaction first changed it (RowHasher's text), NULL when it did not exist.
            sql.Add("""
                CREATE TEMP TABLE IF NOT EXISTS coverage_pending (
                  table_name TEXT NOT NULL, row_key TEXT NOT NULL, before TEXT NULL, PRIMARY KEY (table_name, row_key)) WITHOUT ROWID
                """);
        }
        foreach (var table in CoveredTables.All.Where(t => names.Contains(t.Name)))
        {
            if (table.AppendOnly)
            {
                continue;
            }
            if (names.Contains($"coverage_{table.Name}_insert"))
            {
                continue;
            }
            var columns = await CoveredRows.ColumnsAsync(connection, null, table, cancellationToken);
            // The first mark of a row in a transaction wins (OR IGNORE): it holds the row's state before the transaction.
            Add("insert", "INSERT", $"""
                BEGIN
                  {Mark("NEW", "NULL")};
                END
                """);
            Add("update", "UPDATE", $"""
                BEGIN
                  {Mark("OLD", Database.DialectOf(connection).RowText(columns, "OLD"))};
                  {Mark("NEW", "NULL")};
                END
                """);
            Add("delete", "DELETE", $"""
                BEGIN
                  {Mark("OLD", Database.DialectOf(connection).RowText(columns, "OLD"))};
                END
                """);

            string Mark(string row, string before) =>
                $"INSERT OR IGNORE INTO coverage_pending (table_name, row_key, before) VALUES ('{table.Name}', {table.KeyExpression(row)}, {before})";

            void Add(string suffix, string operation, string body)
            {
                var name = $"coverage_{table.Name}_{suffix}";
                if (!names.Contains(name))
                {
                    sql.Add($"CREATE TEMP TRIGGER IF NOT EXISTS {name} AFTER {operation} ON main.{table.Name}\n{body}");
                }
            }
        }
        if (sql.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(string.Join(";\n", sql), cancellationToken: cancellationToken));
        }
        if (connection is SqliteConnection { Handle: { } handle })
        {
            AppendedRows.Watch(handle);
        }
    }
}
