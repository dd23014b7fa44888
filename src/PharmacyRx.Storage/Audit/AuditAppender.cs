using System.Data.Common;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// Appends audit events on one connection with prepared statements. The chain head is read inside the caller's
/// write transaction, under the write lock, so two writers (two processes) cannot fork the chain. Every write path calls it
/// inside its write transaction, so it also records the rows of covered tables that transaction wrote
/// (<see cref="CoverageRecorder"/>): no store has to remember to.
/// </summary>
internal sealed class AuditAppender(DbConnection connection, TimeProvider? time = null) : IAsyncDisposable
{
    // Read under the dialect's lock on the chain, held to commit (SQL Server: sp_getapplock), so instances never fork it.
    private readonly PreparedCommand _head = new(connection, Database.DialectOf(connection).AuditHeadForAppend);

    private readonly PreparedCommand _insert = new(connection, """
        INSERT INTO audit_events (sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash)
        VALUES (@Sequence, @OccurredAt, @Type, @Actor, @Outcome, @Target, @Details, @PreviousHash, @Hash)
        """,
        "@Sequence", "@OccurredAt", "@Type", "@Actor", "@Outcome", "@Target", "@Details", "@PreviousHash", "@Hash");

    private readonly CoverageRecorder _coverage = new(connection);

    /// <summary>
    /// Appends the events, and the coverage of the rows the transaction wrote; <paramref name="written"/> holds rows the
    /// caller hashed as it inserted them, by table (see <see cref="CoverageRecorder.PlanAsync"/>).
    /// </summary>
    public async Task AppendAsync(
        DbTransaction transaction, IReadOnlyList<AuditEvent> events, IReadOnlyDictionary<string, List<(string Key, string Hash)>>? written = null,
        Archive.WriterProfile? profile = null)
    {
        var started = Archive.WriterProfile.Now();
        var at = events.Count > 0 ? events[^1].OccurredAt : (time ?? TimeProvider.System).GetUtcNow();
        var coverage = await _coverage.PlanAsync(transaction, at, written);
        started = profile?.Add(Archive.WriterProfile.Stage.CoveragePlan, started) ?? started;
        if (events.Count == 0 && coverage.Tables.Count == 0 && coverage.Mismatches.Count == 0 && !coverage.Baseline)
        {
            return;
        }
        long sequence = 0;
        var previous = AuditChain.GenesisHash;
        await using (var head = await _head.ReadAsync(transaction))
        {
            if (await head.ReadAsync())
            {
                sequence = head.GetInt64(0);
                previous = head.GetString(1);
            }
        }
        foreach (var auditEvent in events.Concat(coverage.Mismatches))
        {
            await InsertAsync(auditEvent);
        }
        await foreach (var (table, rows) in _coverage.TablesAsync(coverage, transaction))
        {
            await InsertAsync(new AuditEvent(at, AuditEventTypes.RowsCovered, CoverageRecorder.Actor, AuditOutcome.Success, table.Name, RowCoverage.Details(rows)));
            started = profile?.Add(Archive.WriterProfile.Stage.AuditChain, started) ?? started;
            await _coverage.RememberAsync(transaction, table, rows, sequence);
            started = profile?.Add(Archive.WriterProfile.Stage.CoverageLookup, started) ?? started;
        }
        profile?.Add(Archive.WriterProfile.Stage.AuditChain, started);

        async Task InsertAsync(AuditEvent auditEvent)
        {
            auditEvent = auditEvent.Bounded();
            var linked = AuditChain.Link(++sequence, auditEvent, previous);
            previous = linked.Hash;
            await _insert.ExecuteAsync(transaction,
                linked.Sequence, ReceiptSeal.FormatTimestamp(auditEvent.OccurredAt), auditEvent.Type, auditEvent.Actor,
                auditEvent.Outcome.ToString(), auditEvent.Target, auditEvent.Details, linked.PreviousHash, linked.Hash);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _coverage.DisposeAsync();
        await _head.DisposeAsync();
        await _insert.DisposeAsync();
    }
}
