using System.Data.Common;
using Dapper;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// SQL Server's marks for <see cref="CoverageRecorder"/>. Each connection the service opens makes a session-private
/// <c>#coverage_pending</c> table; every covered table has a trigger that marks the rows a statement writes into it, but
/// only when the writing session has one. A session that did not come through <see cref="Database.OpenAsync"/> (an
/// intruder with sqlcmd, a DBA's script) has none, so what it writes is never marked, never recorded in the chain, and
/// shows in <c>verify</c> as a row the chain does not hold, exactly as a write with sqlite3 does on SQLite. Marks are
/// transactional: a rollback forgets them. Part of the SQL Server dialect.
/// </summary>
internal sealed class SqlServerCoverageMarks(ISqlDialect dialect) : ICoverageMarks
{
    // Keys compare as bytes, whatever the collation of the column they come from; a key is at most 400 characters
    // (user_roles: two 128-character names and a separator).
    private const string Collation = "COLLATE Latin1_General_100_BIN2";

    // The session-private table: made with a plain batch (no parameters), so it lives as long as the session, and made
    // again after the pool resets a connection, since every open runs this.
    internal const string PendingTable = $"""
        IF OBJECT_ID(N'tempdb..#coverage_pending') IS NULL
        CREATE TABLE #coverage_pending (
          table_name nvarchar(100) {Collation} NOT NULL,
          row_key    nvarchar(400) {Collation} NOT NULL,
          before     nvarchar(max) NULL,
          PRIMARY KEY (table_name, row_key)
        );
        """;

    public async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition(PendingTable, cancellationToken: cancellationToken));

    /// <summary>Creates (or brings up to date) each covered table's trigger; left alone when it is already as written here.</summary>
    public async Task InstallAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        const string existing = """
            SELECT OBJECT_DEFINITION(OBJECT_ID(@Trigger, N'TR'))
            """;
        foreach (var table in CoveredTables.All)
        {
            var trigger = Trigger(table, await CoveredRows.ColumnsAsync(connection, transaction, table, cancellationToken));
            var name = $"dbo.coverage_{table.Name}";
            var current = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(existing, new { Trigger = name }, transaction, cancellationToken: cancellationToken));
            if (current != trigger)
            {
                await connection.ExecuteAsync(new CommandDefinition(trigger, transaction: transaction, cancellationToken: cancellationToken));
            }
        }
    }

    /// <summary>
    /// The trigger marking a covered table's rows. An append-only table marks the rows inserted (its ledger refuses the
    /// rest); a mutable one marks every row inserted, updated or deleted, with the row's text before this transaction
    /// first changed it (the first mark of a row in a transaction stands), for the recorder to compare with the chain.
    /// </summary>
    public string Trigger(CoveredTable table, IReadOnlyList<RowColumn> columns)
    {
        var marked = table.AppendOnly
            ? $"""
                SELECT N'{table.Name}', {KeyOf(table, "i")}, NULL FROM inserted AS i
                WHERE NOT EXISTS (SELECT 1 FROM #coverage_pending AS p WHERE p.table_name = N'{table.Name}' AND p.row_key = {KeyOf(table, "i")})
                """
            : $"""
                SELECT N'{table.Name}', m.row_key, MAX(m.before)
                FROM (
                  SELECT {KeyOf(table, "d")} AS row_key, {dialect.RowText(columns, "d")} AS before FROM deleted AS d
                  UNION ALL
                  SELECT {KeyOf(table, "i")}, NULL FROM inserted AS i
                ) AS m
                WHERE NOT EXISTS (SELECT 1 FROM #coverage_pending AS p WHERE p.table_name = N'{table.Name}' AND p.row_key = m.row_key)
                GROUP BY m.row_key
                """;
        return $"""
            CREATE OR ALTER TRIGGER dbo.coverage_{table.Name} ON dbo.{table.Name} AFTER {(table.AppendOnly ? "INSERT" : "INSERT, UPDATE, DELETE")} AS
            BEGIN
              -- No row counts of its own: the writer reads the counts of its statements (0 for a repeated key).
              SET NOCOUNT ON;
              -- Only the service's sessions have the table: what anyone else writes is not marked (1311.215(a)(2)).
              IF OBJECT_ID(N'tempdb..#coverage_pending') IS NULL RETURN;
              INSERT INTO #coverage_pending (table_name, row_key, before)
              {marked};
            END
            """;
    }

    public string Installed => """
        SELECT CASE WHEN OBJECT_ID(N'tempdb..#coverage_pending') IS NOT NULL AND OBJECT_ID(N'dbo.coverage_rows', N'U') IS NOT NULL THEN 1 ELSE 0 END
        """;

    public string Pending => "SELECT table_name, row_key, before FROM #coverage_pending ORDER BY table_name, row_key";

    public string Clear => "DELETE FROM #coverage_pending";

    // No hook: the rows appended are among the marks (Pending), read back by Appended.
    public IReadOnlyDictionary<string, (long First, int Count)> TakeAppended(DbConnection connection) =>
        new Dictionary<string, (long First, int Count)>();

    // Driven by this session's marks of the table, each a seek on the table's key (append-only tables have one key column).
    public string Appended(CoveredTable table, IReadOnlyList<RowColumn> columns)
    {
        var match = table.KeyColumns is [var key] && columns.FirstOrDefault(c => c.Name == key) is { } column
            ? column.Type == typeof(long) || column.Type == typeof(int)
                ? $"t.{key} = TRY_CONVERT(bigint, p.row_key)"
                : $"t.{key} = p.row_key {Collation}"
            : $"{KeyOf(table, "t")} = p.row_key";
        return $"""
            SELECT p.row_key, {dialect.RowText(columns, "t")}
            FROM #coverage_pending AS p JOIN dbo.{table.Name} AS t ON {match}
            WHERE p.table_name = N'{table.Name}'
            ORDER BY p.row_key
            """;
    }

    private static string KeyOf(CoveredTable table, string row) => $"CAST({table.KeyExpression(row)} AS nvarchar(400)) {Collation}";
}
