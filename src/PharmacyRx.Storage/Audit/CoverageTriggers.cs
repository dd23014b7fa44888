using System.Data.Common;
using Dapper;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// Marks the rows of covered tables that this connection writes, so the audit appender records exactly those in the
/// chain. The triggers are TEMP: they exist only on the service's own connections, so a row written by anyone else (an
/// intruder with sqlite3) is never marked, never recorded, and shows in <c>verify</c> and to the dispensing rules as a
/// row the chain does not hold. SQLite only; a server dialect records coverage its own way (ledger tables).
/// </summary>
internal static class CoverageTriggers
{
    public static async Task InstallAsync(DbConnection connection, CancellationToken cancellationToken)
    {
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
            sql.Add("CREATE TEMP TABLE IF NOT EXISTS coverage_pending (table_name TEXT NOT NULL, row_key TEXT NOT NULL, PRIMARY KEY (table_name, row_key)) WITHOUT ROWID");
        }
        foreach (var table in CoveredTables.All.Where(t => names.Contains(t.Name)))
        {
            Add("insert", "INSERT", "NEW");
            if (!table.AppendOnly)
            {
                Add("update_old", "UPDATE", "OLD");
                Add("update_new", "UPDATE", "NEW");
                Add("delete", "DELETE", "OLD");
            }

            void Add(string suffix, string operation, string row)
            {
                var name = $"coverage_{table.Name}_{suffix}";
                if (!names.Contains(name))
                {
                    sql.Add($"""
                        CREATE TEMP TRIGGER IF NOT EXISTS {name} AFTER {operation} ON main.{table.Name}
                        BEGIN
                          INSERT OR IGNORE INTO coverage_pending (table_name, row_key) VALUES ('{table.Name}', {table.KeyExpression(row)});
                        END
                        """);
                }
            }
        }
        if (sql.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(string.Join(";\n", sql), cancellationToken: cancellationToken));
        }
    }
}
