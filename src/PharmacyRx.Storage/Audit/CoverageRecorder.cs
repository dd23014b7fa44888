using System.Data.Common;
using Dapper;
using PharmacyRx.Core.Audit;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// Records the covered rows this transaction wrote (marked by <see cref="CoverageTriggers"/>), one
/// <see cref="AuditEventTypes.RowsCovered"/> event per table; a mutable table is first compared with the chain, so an
/// edit behind its back is a <see cref="AuditEventTypes.CoverageMismatch"/>, never recorded (1311.215(a)(2), (a)(5)).
/// </summary>
internal sealed class CoverageRecorder(DbConnection connection) : IAsyncDisposable
{
    public const string Actor = "system:coverage";
    private const string BaselineName = "coverage";

    private readonly ICoverageMarks _marks = Database.DialectOf(connection).Coverage;
    private readonly PreparedCommand _pending = new(connection, Database.DialectOf(connection).Coverage.Pending);
    private readonly PreparedCommand _clear = new(connection, Database.DialectOf(connection).Coverage.Clear);
    private readonly PreparedCommand _recorded = new(connection, """
        SELECT row_hash FROM coverage_rows WHERE table_name = @Table AND row_key = @Key
        """, "@Table", "@Key");
    private readonly PreparedCommand _recordedTable = new(connection, """
        SELECT row_key, row_hash FROM coverage_rows WHERE table_name = @Table
        """, "@Table");
    private readonly PreparedCommand _record = new(connection,
        Database.DialectOf(connection).Upsert("coverage_rows", ["table_name", "row_key"], ["row_hash", "audit_sequence"]),
        "@table_name", "@row_key", "@row_hash", "@audit_sequence");
    private readonly Dictionary<string, PreparedCommand> _rowCommands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PreparedCommand> _appendedCommands = new(StringComparer.Ordinal);
    private bool? _installed;
    private bool _baselineDone;

    /// <summary>The tables' rows to record, each a RowsCovered event, and any mismatches found on the way.</summary>
    public sealed record Plan(IReadOnlyList<(CoveredTable Table, IReadOnlyList<(string Key, string Hash)> Rows)> Tables, IReadOnlyList<AuditEvent> Mismatches)
    {
        /// <summary>True on the first recording of a data folder: every row of every covered table follows, page by page (<see cref="TablesAsync"/>).</summary>
        public bool Baseline { get; init; }
    }

    /// <summary>Rows a baseline RowsCovered event records at most: a table of millions of rows is read and recorded page by page.</summary>
    internal static int BaselinePageRows { get; set; } = 10_000;

    /// <summary>
    /// The coverage of the current transaction's writes. <paramref name="written"/> holds rows the caller hashed from the
    /// values it inserted (<see cref="RowHasher.Hash(string, IEnumerable{object?})"/>), by table: used instead of reading
    /// them back when they are as many as the rows the transaction appended to that table.
    /// </summary>
    public async Task<Plan> PlanAsync(DbTransaction transaction, DateTimeOffset at, IReadOnlyDictionary<string, List<(string Key, string Hash)>>? written = null)
    {
        // Nothing is marked on a connection opened before the coverage schema existed (a migration's own).
        if (!(_installed ??= await InstalledAsync(transaction)))
        {
            return new Plan([], []);
        }
        var keys = new Dictionary<string, SortedDictionary<string, byte[]?>>(StringComparer.Ordinal);
        await using (var reader = await _pending.ReadAsync(transaction))
        {
            while (await reader.ReadAsync())
            {
                var table = reader.GetString(0);
                (keys.TryGetValue(table, out var rows) ? rows : keys[table] = new SortedDictionary<string, byte[]?>(StringComparer.Ordinal))
                    [reader.GetString(1)] = reader.IsDBNull(2) ? null : RowHasher.RowBytes(reader, 2);
            }
        }
        var appended = _marks.TakeAppended(connection);
        var baseline = await BaselineAsync(transaction, at);
        if (keys.Count == 0 && appended.Count == 0 && baseline is null)
        {
            return new Plan([], []);
        }
        var tables = new List<(CoveredTable, IReadOnlyList<(string, string)>)>();
        var mismatches = new List<AuditEvent>();
        // The first recording of a data folder records every row there is, once (rows of earlier versions and seeded roles),
        // page by page as the events are written (TablesAsync).
        foreach (var table in baseline is null ? CoveredTables.All : [])
        {
            var rows = new List<(string Key, string Hash)>();
            if (table.AppendOnly
                && (appended.TryGetValue(table.Name, out var marked) ? marked.Count : keys.GetValueOrDefault(table.Name)?.Count ?? 0) is > 0 and var count)
            {
                // Marked by the engine's hook (SQLite: the first rowid and a count) or among the marks (SQL Server: each key).
                rows.AddRange(written?.GetValueOrDefault(table.Name) is { } hashed && hashed.Count == count
                    ? hashed
                    : await AppendedAsync(transaction, table, marked.First));
            }
            else if (!table.AppendOnly && keys.TryGetValue(table.Name, out var changed))
            {
                mismatches.AddRange(await MismatchesAsync(transaction, table, changed, at));
                foreach (var (key, before) in changed)
                {
                    var recorded = await RecordedAsync(transaction, table.Name, key);
                    // The row as this transaction found it must be what the chain last recorded, or the change being
                    // recorded now would carry an edit made behind the service's back.
                    var found = before is null ? RowCoverage.Deleted : RowHasher.Hash(table.Name, before);
                    if (found != (recorded ?? RowCoverage.Deleted))
                    {
                        mismatches.Add(Mismatch(table, key, recorded is null ? "a row the audit chain never recorded"
                            : before is null ? "a row the audit chain recorded was gone" : "a row changed since the audit chain recorded it", at));
                    }
                    var hash = await HashAsync(transaction, table, key) ?? RowCoverage.Deleted;
                    if (recorded != hash)
                    {
                        rows.Add((key, hash));
                    }
                }
            }
            if (rows.Count > 0)
            {
                tables.Add((table, rows));
            }
        }
        if (keys.Count > 0)
        {
            // Last: on SQL Server the appended rows above were read through these marks.
            await _clear.ExecuteAsync(transaction);
        }
        return new Plan(tables, mismatches) { Baseline = baseline is not null };
    }

    /// <summary>
    /// The plan's tables with their rows, then on the first recording of a data folder every row of every covered table, in
    /// pages of at most <see cref="BaselinePageRows"/>: each page is read whole before it is yielded, so the caller may write
    /// on the connection (SQL Server runs one reader at a time), and memory holds one page.
    /// </summary>
    public async IAsyncEnumerable<(CoveredTable Table, IReadOnlyList<(string Key, string Hash)> Rows)> TablesAsync(Plan plan, DbTransaction transaction)
    {
        foreach (var table in plan.Tables)
        {
            yield return table;
        }
        if (!plan.Baseline)
        {
            yield break;
        }
        var existing = (await connection.QueryAsync<string>(new CommandDefinition(_marks.ExistingTables, transaction: transaction)))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var table in CoveredTables.All.Where(table => existing.Contains(table.Name)))
        {
            var columns = await CoveredRows.ColumnsAsync(connection, transaction, table, CancellationToken.None);
            object? after = null;
            while (true)
            {
                var rows = new List<(string Key, string Hash)>();
                await using (var command = connection.CreateCommand())
                {
                    command.Transaction = transaction;
                    command.CommandText = _marks.BaselinePage(table, columns, first: after is null);
                    AddParameter(command, "@Count", BaselinePageRows);
                    if (after is not null)
                    {
                        AddParameter(command, "@After", after);
                    }
                    await using var reader = await command.ExecuteReaderAsync();
                    while (await reader.ReadAsync())
                    {
                        after = reader.GetValue(0);
                        rows.Add((Convert.ToString(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture) ?? "", RowHasher.Hash(table.Name, reader, 2)));
                    }
                }
                if (rows.Count > 0)
                {
                    yield return (table, rows);
                }
                if (rows.Count < BaselinePageRows)
                {
                    break;
                }
            }
        }

        static void AddParameter(DbCommand command, string name, object value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
    }

    /// <summary>Keeps the lookup copy of what the chain recorded: each row with the sequence of its RowsCovered event.</summary>
    public async Task RememberAsync(DbTransaction transaction, CoveredTable table, IReadOnlyList<(string Key, string Hash)> rows, long sequence)
    {
        if (!table.KeptForLookup)
        {
            return;
        }
        foreach (var (key, hash) in rows)
        {
            await _record.ExecuteAsync(transaction, table.Name, key, hash, sequence);
        }
    }

    /// <summary>Rows of a mutable table other than those written now whose state is not what the chain last recorded.</summary>
    private async Task<IEnumerable<AuditEvent>> MismatchesAsync(
        DbTransaction transaction, CoveredTable table, SortedDictionary<string, byte[]?> written, DateTimeOffset at)
    {
        // What the chain recorded of the table, read first and whole (a small table): SQL Server runs one reader at a time
        // on a connection, so nothing may be asked while the table's rows are read.
        var recorded = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var reader = await _recordedTable.ReadAsync(transaction, table.Name))
        {
            while (await reader.ReadAsync())
            {
                recorded[reader.GetString(0)] = reader.GetString(1);
            }
        }
        var found = new List<AuditEvent>();
        await foreach (var (key, hash) in CoveredRows.ReadAllAsync(connection, transaction, table, CancellationToken.None))
        {
            var known = recorded.Remove(key, out var recordedHash);
            if (!written.ContainsKey(key) && (!known || recordedHash != hash))
            {
                found.Add(Mismatch(table, key, known ? "a row changed since the audit chain recorded it" : "a row the audit chain never recorded", at));
            }
        }
        found.AddRange(recorded.Where(row => row.Value != RowCoverage.Deleted && !written.ContainsKey(row.Key))
            .Select(row => Mismatch(table, row.Key, "a row the audit chain recorded is gone", at)));
        return found;
    }

    private static AuditEvent Mismatch(CoveredTable table, string key, string what, DateTimeOffset at) =>
        new(at, AuditEventTypes.CoverageMismatch, Actor, AuditOutcome.Failure, $"{table.Name}:{CoveredTable.Show(key)}",
            $"{table.Name} row {CoveredTable.Show(key)}: {what}; it was changed outside the service and is not recorded as legitimate");

    private async Task<string?> HashAsync(DbTransaction transaction, CoveredTable table, string key)
    {
        if (!_rowCommands.TryGetValue(table.Name, out var command))
        {
            var columns = await CoveredRows.ColumnsAsync(connection, transaction, table, CancellationToken.None);
            command = new PreparedCommand(connection,
                $"SELECT {Database.DialectOf(connection).RowText(columns)} FROM {table.Name} WHERE {table.KeyExpression(exact: Database.DialectOf(connection).ExactText)} = @Key", "@Key");
            _rowCommands[table.Name] = command;
        }
        await using var reader = await command.ReadAsync(transaction, key);
        return await reader.ReadAsync() ? RowHasher.Hash(table.Name, reader, 0) : null;
    }

    /// <summary>The rows this transaction appended to an append-only table: from its first, in rowid order, in one pass.</summary>
    private async Task<List<(string Key, string Hash)>> AppendedAsync(DbTransaction transaction, CoveredTable table, long firstRowid)
    {
        if (!_appendedCommands.TryGetValue(table.Name, out var command))
        {
            var columns = await CoveredRows.ColumnsAsync(connection, transaction, table, CancellationToken.None);
            command = new PreparedCommand(connection, _marks.Appended(table, columns), "@First");
            _appendedCommands[table.Name] = command;
        }
        var rows = new List<(string, string)>();
        await using var reader = await command.ReadAsync(transaction, firstRowid);
        while (await reader.ReadAsync())
        {
            rows.Add((CoveredRows.KeyOf(reader), RowHasher.Hash(table.Name, reader, 1)));
        }
        return rows;
    }

    private async Task<string?> RecordedAsync(DbTransaction transaction, string table, string key)
    {
        await using var reader = await _recorded.ReadAsync(transaction, table, key);
        return await reader.ReadAsync() ? reader.GetString(0) : null;
    }

    private async Task<bool> InstalledAsync(DbTransaction transaction)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _marks.Installed;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>Non-null (and marked done) when this data folder's rows were never recorded.</summary>
    private async Task<string?> BaselineAsync(DbTransaction transaction, DateTimeOffset at)
    {
        if (_baselineDone)
        {
            return null;
        }
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT INTO completed_backfills (name, completed_at) VALUES ('coverage', @At) {Database.DialectOf(connection).IgnoreDuplicateKey}
            """;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@At";
        parameter.Value = Core.Receiving.ReceiptSeal.FormatTimestamp(at);
        command.Parameters.Add(parameter);
        var first = await command.ExecuteNonQueryAsync() > 0;
        _baselineDone = !first;
        return first ? BaselineName : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _pending.DisposeAsync();
        await _clear.DisposeAsync();
        await _recorded.DisposeAsync();
        await _recordedTable.DisposeAsync();
        await _record.DisposeAsync();
        foreach (var command in _rowCommands.Values.Concat(_appendedCommands.Values))
        {
            await command.DisposeAsync();
        }
    }
}
