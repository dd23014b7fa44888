using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;
using PharmacyRx.Core.Audit;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// SQL Server's marks for <see cref="CoverageRecorder"/>: each service write transaction ensures its session's private
/// <c>#coverage_pending</c>, which the covered tables' triggers fill (transactionally) only where it exists. A session
/// not from <see cref="Database.OpenAsync"/> (sqlcmd, a DBA's script) has none, so <c>verify</c> names its rows.
/// </summary>
internal sealed partial class SqlServerCoverageMarks(ISqlDialect dialect) : ICoverageMarks
{
    // Keys compare as bytes, whatever the collation of the column they come from; a key is at most 350 characters, as in
    // coverage_rows (user_roles: two 128-character names and a separator), and the primary key fits 900 bytes.
    private const string Collation = SqlServerDialect.BinaryCollation;

    // The session-private table. Made by the statement that begins every write transaction (SqlServerDialect.
    // ExclusiveWriter), never by a read: a plain batch (no parameters, so not sp_executesql, whose temporary tables end
    // with the call), so it lives as long as the session; the pool's reset drops it, and the next write makes it again.
    // Made on a connection before the schema exists, it is harmless: nothing marks into it until the triggers exist.
    internal const string PendingTable = $"""
        IF OBJECT_ID(N'tempdb..#coverage_pending') IS NULL
        CREATE TABLE #coverage_pending (
          table_name nvarchar(100) {Collation} NOT NULL,
          row_key    nvarchar(350) {Collation} NOT NULL,
          before     nvarchar(max) NULL,
          PRIMARY KEY (table_name, row_key)
        );
        """;

    // Nothing per connection: the marks table is made when a write transaction begins (PendingTable).
    public Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Creates each covered table's trigger, or brings it back to what is written here (altered, disabled); one that is
    /// already so is left alone, so starting an instance takes no schema lock on a table the others are using. Returns the
    /// audit events to append: what it put right that someone else had changed (a <c>CoverageMismatch</c> each, so the
    /// repair is evidence, never silent), and, when it wrote any trigger, the hash of each it wrote
    /// (<c>CoverageTriggersWritten</c>). A trigger whose text is one the chain says the service wrote (an earlier release,
    /// another instance's) is an upgrade, not a finding; a trigger missing when none exists yet is the first installation.
    /// </summary>
    public async Task<IReadOnlyList<AuditEvent>> InstallAsync(DbConnection connection, DbTransaction transaction, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var triggers = await TriggersAsync(connection, transaction, cancellationToken);
        var written = await WrittenAsync(connection, transaction, cancellationToken);
        var firstInstallation = triggers.All(t => t.Found is null);
        var repaired = new List<string>();
        var changed = false;
        foreach (var (table, trigger, found) in triggers)
        {
            var name = $"dbo.coverage_{table.Name}";
            if (found is null)
            {
                await connection.ExecuteAsync(new CommandDefinition(trigger, transaction: transaction, cancellationToken: cancellationToken));
                changed = true;
                if (!firstInstallation)
                {
                    repaired.Add($"the coverage trigger {name} was missing; the service made it again");
                }
                continue;
            }
            if (!found.Is(trigger))
            {
                await connection.ExecuteAsync(new CommandDefinition(TriggerVerb().Replace(trigger, "ALTER TRIGGER", 1), transaction: transaction, cancellationToken: cancellationToken));
                changed = true;
                if (found.Definition is null || written.GetValueOrDefault(name) != Hash(found.Definition))
                {
                    repaired.Add($"the coverage trigger {name} was not the one the service wrote; the service wrote it again");
                }
            }
            if (found.IsDisabled)
            {
                await connection.ExecuteAsync(new CommandDefinition($"ENABLE TRIGGER {name} ON dbo.{table.Name}", transaction: transaction, cancellationToken: cancellationToken));
                repaired.Add($"the coverage trigger {name} was disabled; the service enabled it");
            }
        }
        var events = repaired.Select(finding => new AuditEvent(at, AuditEventTypes.CoverageMismatch, CoverageRecorder.Actor, AuditOutcome.Failure, Target, finding)).ToList();
        if (changed)
        {
            events.Add(new AuditEvent(at, AuditEventTypes.CoverageTriggersWritten, CoverageRecorder.Actor, AuditOutcome.Success, Target,
                string.Join("; ", triggers.Select(t => $"dbo.coverage_{t.Table.Name}={Hash(t.Trigger)}"))));
        }
        return events;
    }

    private const string Target = "coverage triggers";

    /// <summary>The hash of each trigger as the service last wrote it, from the newest CoverageTriggersWritten event.</summary>
    private static async Task<Dictionary<string, string>> WrittenAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT TOP (1) details FROM audit_events WHERE event_type = @Type ORDER BY sequence DESC
            """;
        var details = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(sql, new { Type = AuditEventTypes.CoverageTriggersWritten }, transaction, cancellationToken: cancellationToken));
        return (details ?? "").Split("; ", StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('=', 2)).Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
    }

    private static string Hash(string definition) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Normal(definition))));

    /// <summary>
    /// 1311.215(a)(2): a covered table's trigger that is missing, disabled, or not what this service wrote. A trigger runs
    /// in the service's own session, so one rewritten by someone with ALTER on the table could mark their rows for the
    /// chain to record as the service's; verify names it, and the next start writes it back.
    /// </summary>
    public async Task<IReadOnlyList<string>> TamperedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var written = await WrittenAsync(connection, null, cancellationToken);
        foreach (var (table, trigger, found) in await TriggersAsync(connection, null, cancellationToken))
        {
            var name = $"dbo.coverage_{table.Name}";
            if (found is null)
            {
                problems.Add($"the coverage trigger {name} is missing: rows written to {table.Name} are not marked for the audit chain");
            }
            else if (!found.Is(trigger) && (found.Definition is null || written.GetValueOrDefault(name) != Hash(found.Definition)))
            {
                problems.Add($"the coverage trigger {name} is not the one the service wrote: it was altered");
            }
            else if (found.IsDisabled)
            {
                problems.Add($"the coverage trigger {name} is disabled: rows written to {table.Name} are not marked for the audit chain");
            }
        }
        // Any other module could mark rows too, since it runs in the service's session when its table is written: one that
        // names the marks table, or whose text cannot be read, is named. (Text built at run time escapes this; the door
        // that closes it is a service login that may not alter the schema, see the README.)
        const string others = """
            SELECT CONCAT(OBJECT_SCHEMA_NAME(o.object_id), N'.', o.name) AS name, OBJECT_DEFINITION(o.object_id) AS definition
            FROM sys.objects AS o
            WHERE o.type IN ('TR', 'P', 'FN', 'IF', 'TF', 'V') AND o.is_ms_shipped = 0
            """;
        var ours = CoveredTables.All.Select(t => $"dbo.coverage_{t.Name}").ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, definition) in await connection.QueryAsync<(string Name, string? Definition)>(new CommandDefinition(others, cancellationToken: cancellationToken)))
        {
            if (!ours.Contains(name) && (definition is null || definition.Contains("coverage_pending", StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add(definition is null
                    ? $"the module {name} cannot be read (made WITH ENCRYPTION): it could mark rows for the audit chain unseen"
                    : $"the module {name} names the service's coverage marks: it could have rows recorded in the audit chain as the service's");
            }
        }
        return problems;
    }

    // Definition is null when the text cannot be read (a trigger made WITH ENCRYPTION): not the one the service wrote.
    private sealed record FoundTrigger(string? Definition, bool IsDisabled)
    {
        public bool Is(string trigger) => Definition is not null && Normal(Definition) == Normal(trigger);
    }

    private async Task<List<(CoveredTable Table, string Trigger, FoundTrigger? Found)>> TriggersAsync(
        DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        const string existing = """
            SELECT OBJECT_DEFINITION(t.object_id) AS definition, t.is_disabled
            FROM sys.triggers AS t
            WHERE t.parent_id = OBJECT_ID(@Table, N'U') AND t.name = @Trigger
            """;
        var triggers = new List<(CoveredTable, string, FoundTrigger?)>();
        foreach (var table in CoveredTables.All)
        {
            var trigger = Trigger(table, await CoveredRows.ColumnsAsync(connection, transaction, table, cancellationToken));
            var found = await connection.QuerySingleOrDefaultAsync<(string? Definition, bool IsDisabled)?>(new CommandDefinition(existing,
                new { Table = $"dbo.{table.Name}", Trigger = $"coverage_{table.Name}" }, transaction, cancellationToken: cancellationToken));
            triggers.Add((table, trigger, found is { } f ? new FoundTrigger(f.Definition, f.IsDisabled) : null));
        }
        return triggers;
    }

    // SQL Server keeps a module's text as written, except its first words: what ALTER or CREATE OR ALTER made reads CREATE.
    private static string Normal(string definition) =>
        TriggerVerb().Replace(definition.Replace("\r\n", "\n", StringComparison.Ordinal).Trim(), "TRIGGER", 1);

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
            CREATE TRIGGER dbo.coverage_{table.Name} ON dbo.{table.Name} AFTER {(table.AppendOnly ? "INSERT" : "INSERT, UPDATE, DELETE")} AS
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

    private static string KeyOf(CoveredTable table, string row) => $"CAST({table.KeyExpression(row, Collation)} AS nvarchar(350)) {Collation}";

    [GeneratedRegex(@"^(?:CREATE|ALTER)(?:\s+OR\s+ALTER)?\s+TRIGGER", RegexOptions.IgnoreCase)]
    private static partial Regex TriggerVerb();

    // Keys are allocated when a row is inserted, the chain's lock is taken at commit: two sessions may record out of key order.
    public string? InChainOrder(CoveredTable table, IReadOnlyList<RowColumn> columns) => null;

    // By key, compared as its exact characters: the same order for the position and the page.
    public string ExistingTables => "SELECT name FROM sys.tables WHERE schema_id = SCHEMA_ID('dbo')";

    public string BaselinePage(CoveredTable table, IReadOnlyList<RowColumn> columns, bool first) => $"""
        SELECT TOP (@Count) {KeyOf(table, "t")} AS position, {KeyOf(table, "t")} AS row_key, {dialect.RowText(columns, "t")}
        FROM dbo.{table.Name} AS t
        {(first ? "" : $"WHERE {KeyOf(table, "t")} > @After")}
        ORDER BY {KeyOf(table, "t")}
        """;
}
