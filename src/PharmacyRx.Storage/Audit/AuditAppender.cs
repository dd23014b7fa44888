using System.Data.Common;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// Appends audit events on one connection with prepared statements. The chain head is read inside the caller's
/// write transaction, under the write lock, so two writers (two processes) cannot fork the chain.
/// </summary>
internal sealed class AuditAppender(DbConnection connection) : IAsyncDisposable
{
    private readonly PreparedCommand _head = new(connection, """
        SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1
        """);

    private readonly PreparedCommand _insert = new(connection, """
        INSERT INTO audit_events (sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash)
        VALUES (@Sequence, @OccurredAt, @Type, @Actor, @Outcome, @Target, @Details, @PreviousHash, @Hash)
        """,
        "@Sequence", "@OccurredAt", "@Type", "@Actor", "@Outcome", "@Target", "@Details", "@PreviousHash", "@Hash");

    public async Task AppendAsync(DbTransaction transaction, IReadOnlyList<AuditEvent> events)
    {
        if (events.Count == 0)
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
        foreach (var auditEvent in events)
        {
            var linked = AuditChain.Link(++sequence, auditEvent, previous);
            previous = linked.Hash;
            await _insert.ExecuteAsync(transaction,
                linked.Sequence, ReceiptSeal.FormatTimestamp(auditEvent.OccurredAt), auditEvent.Type, auditEvent.Actor,
                auditEvent.Outcome.ToString(), auditEvent.Target, auditEvent.Details, linked.PreviousHash, linked.Hash);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _head.DisposeAsync();
        await _insert.DisposeAsync();
    }
}
