using System.Globalization;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Integrity;

/// <summary>
/// Recomputes every row of every covered table and compares it with what the audit chain recorded of it
/// (<see cref="AuditEventTypes.RowsCovered"/>): a row edited, inserted or deleted behind the service's back, or two rows
/// swapped, is named by table and key (1311.215(a)(2), (a)(5)). Feed it the chain in order with <see cref="Observe"/>,
/// then call <see cref="CheckTablesAsync"/>. Only the chain counts; the <c>coverage_rows</c> lookup copy is not read.
/// </summary>
public sealed class CoverageVerifier(Database database)
{
    // The recorded hash of a deleted row of a mutable table.
    private static readonly UInt128 DeletedRow = UInt128.MaxValue;

    private readonly Dictionary<string, Dictionary<string, UInt128>> _recorded = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];

    /// <summary>Takes note of one audit event, in sequence order.</summary>
    public void Observe(ChainedAuditEvent stored)
    {
        switch (stored.Event.Type)
        {
            case AuditEventTypes.RowsCovered:
                if (!_recorded.TryGetValue(stored.Event.Target, out var rows))
                {
                    _recorded[stored.Event.Target] = rows = new Dictionary<string, UInt128>(StringComparer.Ordinal);
                }
                foreach (var (key, hash) in RowCoverage.Parse(stored.Event.Details))
                {
                    rows[key] = Compact(hash);
                }
                break;
            case AuditEventTypes.CoverageMismatch:
                _problems.Add($"audit event {stored.Sequence} recorded a mismatch: {stored.Event.Details}");
                break;
        }
    }

    /// <summary>Every row that does not match the chain, by table and key, after the chain was observed.</summary>
    public async Task<IReadOnlyList<string>> CheckTablesAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>(_problems);
        await using var connection = await database.OpenAsync(cancellationToken);
        problems.AddRange(await database.Dialect.Coverage.TamperedAsync(connection, cancellationToken));
        foreach (var table in CoveredTables.All)
        {
            var recorded = _recorded.GetValueOrDefault(table.Name) ?? new Dictionary<string, UInt128>(StringComparer.Ordinal);
            await foreach (var (key, hash) in CoveredRows.ReadAllAsync(connection, null, table, cancellationToken))
            {
                if (!recorded.Remove(key, out var expected) || expected == DeletedRow)
                {
                    problems.Add($"table {table.Name} row {CoveredTable.Show(key)} is not in the audit chain: it was added or changed outside the service");
                }
                else if (expected != Compact(hash))
                {
                    problems.Add($"table {table.Name} row {CoveredTable.Show(key)} does not match the hash the audit chain recorded: it was altered");
                }
            }
            problems.AddRange(recorded.Where(r => r.Value != DeletedRow).Select(r => r.Key).Order(StringComparer.Ordinal)
                .Select(key => $"table {table.Name} row {CoveredTable.Show(key)} is in the audit chain but not in the table: it was deleted"));
        }
        return problems;
    }

    // 128 bits of the SHA-256 are plenty to tell rows apart and keep a million rows' hashes small in memory.
    private static UInt128 Compact(string hash) =>
        hash.Length >= 32 && UInt128.TryParse(hash.AsSpan(0, 32), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value) && value != DeletedRow
            ? value
            : DeletedRow;
}
