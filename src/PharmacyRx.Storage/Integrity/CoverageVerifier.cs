using System.Data.Common;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Integrity;

/// <summary>
/// Recomputes covered rows against the chain's <see cref="AuditEventTypes.RowsCovered"/>, naming by table and key any
/// row edited, inserted, deleted or swapped behind the service's back (1311.215(a)(2), (a)(5)). Feed the chain in order
/// to <see cref="ObserveAsync"/>, then call <see cref="CheckTablesAsync"/>; the <c>coverage_rows</c> copy is not read.
/// </summary>
public sealed class CoverageVerifier : IDisposable
{
    private readonly Database _database;
    private readonly DbConnection _connection;
    private readonly DbTransaction? _transaction;
    private readonly bool _window;
    private readonly Dictionary<string, Merge?> _merges = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];
    // A table kept in chain order is merged row by row as the chain is read; any other, or one that departs from that
    // order, is compared here, on disk. Memory stays bounded either way.
    private readonly SqliteCoverageScratch _scratch = new();

    /// <param name="database">The database the chain is in.</param>
    /// <param name="connection">The connection the chain is read on; where the engine allows, the tables are read beside it.</param>
    /// <param name="transaction">The read transaction on it, if any.</param>
    /// <param name="window">
    /// True when only part of the chain is observed (<c>verify --since-head</c>): only the rows it recorded are checked;
    /// rows it did not record are not looked for.
    /// </param>
    public CoverageVerifier(Database database, DbConnection connection, DbTransaction? transaction, bool window = false)
    {
        (_database, _connection, _transaction, _window) = (database, connection, transaction, window);
    }

    /// <summary>Takes note of one audit event, in sequence order.</summary>
    public async ValueTask ObserveAsync(ChainedAuditEvent stored, CancellationToken cancellationToken)
    {
        switch (stored.Event.Type)
        {
            case AuditEventTypes.RowsCovered:
                var table = CoveredTables.Find(stored.Event.Target);
                var merge = table is null || _window ? null : await MergeOfAsync(table, cancellationToken);
                foreach (var (key, hash) in RowCoverage.Parse(stored.Event.Details))
                {
                    if (merge is null || !merge.Next(key, hash))
                    {
                        _scratch.Record(stored.Event.Target, key, hash);
                    }
                }
                break;
            case AuditEventTypes.CoverageMismatch:
                _problems.Add($"audit event {stored.Sequence} recorded a mismatch: {stored.Event.Details}");
                break;
        }
    }

    /// <summary>
    /// Every row that does not match the chain, by table and key, after the chain was observed (and its reader closed).
    /// In a window, only the rows the observed events recorded.
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckTablesAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>(_problems);
        problems.AddRange(await _database.Dialect.Coverage.TamperedAsync(_connection, cancellationToken));
        foreach (var table in CoveredTables.All)
        {
            if (_window)
            {
                problems.AddRange(await CheckRecordedAsync(table, cancellationToken));
                continue;
            }
            var merge = await MergeOfAsync(table, cancellationToken);
            if (merge is { Diverged: false })
            {
                problems.AddRange(merge.Problems);
                problems.AddRange(merge.Rest().Select(row => NotInChain(table, row.Key)));
                continue;
            }
            var rows = merge?.Rest() ?? await ReadAllAsync(table, cancellationToken);
            problems.AddRange(merge?.Problems ?? []);
            foreach (var (key, hash) in rows)
            {
                _scratch.Actual(table.Name, key, hash);
            }
            foreach (var (key, recorded) in _scratch.Differing(table.Name))
            {
                problems.Add(recorded is null or RowCoverage.Deleted ? NotInChain(table, key)
                    : $"table {table.Name} row {CoveredTable.Show(key)} does not match the hash the audit chain recorded: it was altered");
            }
            problems.AddRange(_scratch.Missing(table.Name).Select(key => Deleted(table, key)));
        }
        return problems;
    }

    /// <summary>The keys of a table's rows that the observed events recorded as present, in key order (a window's new rows).</summary>
    public async IAsyncEnumerable<string> RecordedKeysAsync(CoveredTable table, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (key, hash) in _scratch.RecordedAsync(table.Name, cancellationToken))
        {
            if (hash != RowCoverage.Deleted)
            {
                yield return key;
            }
        }
    }

    // Each row the window recorded, looked up by its key: as recorded, or deleted as recorded.
    private async Task<List<string>> CheckRecordedAsync(CoveredTable table, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var columns = await CoveredRows.ColumnsAsync(_connection, _transaction, table, cancellationToken);
        var dialect = _database.Dialect;
        await using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = $"SELECT {dialect.RowText(columns)} FROM {table.Name} WHERE {table.KeyExpression(exact: dialect.ExactText)} = @Key";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@Key";
        command.Parameters.Add(parameter);
        await foreach (var (key, recorded) in _scratch.RecordedAsync(table.Name, cancellationToken))
        {
            parameter.Value = key;
            string? now;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                now = await reader.ReadAsync(cancellationToken) ? RowHasher.Hash(table.Name, reader, 0) : null;
            }
            if (now is null && recorded != RowCoverage.Deleted)
            {
                problems.Add(Deleted(table, key));
            }
            else if (now is not null && recorded == RowCoverage.Deleted)
            {
                problems.Add(NotInChain(table, key));
            }
            else if (now is not null && now != recorded)
            {
                problems.Add($"table {table.Name} row {CoveredTable.Show(key)} does not match the hash the audit chain recorded: it was altered");
            }
        }
        return problems;
    }

    private async Task<IEnumerable<(string Key, string Hash)>> ReadAllAsync(CoveredTable table, CancellationToken cancellationToken)
    {
        // Into the scratch store as read: a table is never held in memory.
        await foreach (var (key, hash) in CoveredRows.ReadAllAsync(_connection, _transaction, table, cancellationToken))
        {
            _scratch.Actual(table.Name, key, hash);
        }
        return [];
    }

    // The row-by-row merge of a table the engine keeps in chain order; null for any other.
    private async Task<Merge?> MergeOfAsync(CoveredTable table, CancellationToken cancellationToken)
    {
        if (_merges.TryGetValue(table.Name, out var merge))
        {
            return merge;
        }
        // Asked first with no columns: where the engine keeps no chain order, nothing is read beside the chain's reader
        // (SQL Server runs one reader at a time on a connection).
        if (!table.AppendOnly || _database.Dialect.Coverage.InChainOrder(table, []) is null)
        {
            return _merges[table.Name] = null;
        }
        var columns = await CoveredRows.ColumnsAsync(_connection, _transaction, table, cancellationToken);
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = _database.Dialect.Coverage.InChainOrder(table, columns)!;
        return _merges[table.Name] = new Merge(table, command, await command.ExecuteReaderAsync(cancellationToken));
    }

    private static string NotInChain(CoveredTable table, string key) =>
        $"table {table.Name} row {CoveredTable.Show(key)} is not in the audit chain: it was added or changed outside the service";

    private static string Deleted(CoveredTable table, string key) =>
        $"table {table.Name} row {CoveredTable.Show(key)} is in the audit chain but not in the table: it was deleted";

    public void Dispose()
    {
        foreach (var merge in _merges.Values)
        {
            merge?.Dispose();
        }
        _scratch.Dispose();
    }

    // A table read in the order its rows were recorded, one row per recorded pair. At the first pair whose key is not the
    // next row's (a row inserted or deleted behind the service's back), it diverges: the rest goes to the scratch store.
    private sealed class Merge(CoveredTable table, DbCommand command, DbDataReader reader) : IDisposable
    {
        private (string Key, string Hash)? _pending;

        public bool Diverged { get; private set; }

        public List<string> Problems { get; } = [];

        /// <summary>True when the pair was matched here; false once diverged (the caller keeps the pair).</summary>
        public bool Next(string key, string hash)
        {
            if (Diverged)
            {
                return false;
            }
            if (hash != RowCoverage.Deleted && reader.Read())
            {
                var row = (Key: CoveredRows.KeyOf(reader), Hash: RowHasher.Hash(table.Name, reader, 1));
                if (row.Key == key)
                {
                    if (row.Hash != hash)
                    {
                        Problems.Add($"table {table.Name} row {CoveredTable.Show(key)} does not match the hash the audit chain recorded: it was altered");
                    }
                    return true;
                }
                _pending = row;
            }
            Diverged = true;
            return false;
        }

        /// <summary>The rows not yet matched, in table order.</summary>
        public IEnumerable<(string Key, string Hash)> Rest()
        {
            if (_pending is { } pending)
            {
                _pending = null;
                yield return pending;
            }
            while (reader.Read())
            {
                yield return (CoveredRows.KeyOf(reader), RowHasher.Hash(table.Name, reader, 1));
            }
        }

        public void Dispose()
        {
            reader.Dispose();
            command.Dispose();
        }
    }
}
