using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// Appends to and reads the hash-chained audit trail. Appends run inside the caller's write transaction, so the
/// events commit with the change they record, and the chain head is read under the same write lock, so two
/// processes writing at once cannot fork the chain.
/// </summary>
public sealed class AuditLog(Database database)
{
    /// <summary>Appends events in their own transaction.</summary>
    public async Task AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await AppendAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Appends events inside a write transaction the caller commits.</summary>
    public static async Task AppendAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }
        const string headSql = """
            SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1
            """;
        var head = await connection.QuerySingleOrDefaultAsync<(long Sequence, string Hash)?>(
            new CommandDefinition(headSql, transaction: transaction, cancellationToken: cancellationToken));
        var sequence = head?.Sequence ?? 0;
        var previous = head?.Hash ?? AuditChain.GenesisHash;

        const string insertSql = """
            INSERT INTO audit_events (sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash)
            VALUES (@Sequence, @OccurredAt, @Type, @Actor, @Outcome, @Target, @Details, @PreviousHash, @Hash)
            """;
        var rows = new List<object>(events.Count);
        foreach (var auditEvent in events)
        {
            var linked = AuditChain.Link(++sequence, auditEvent, previous);
            previous = linked.Hash;
            rows.Add(new
            {
                linked.Sequence,
                OccurredAt = ReceiptSeal.FormatTimestamp(auditEvent.OccurredAt),
                auditEvent.Type,
                auditEvent.Actor,
                Outcome = auditEvent.Outcome.ToString(),
                auditEvent.Target,
                auditEvent.Details,
                linked.PreviousHash,
                linked.Hash,
            });
        }
        await connection.ExecuteAsync(new CommandDefinition(insertSql, rows, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Streams every stored event in sequence order.</summary>
    public async IAsyncEnumerable<ChainedAuditEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash
            FROM audit_events ORDER BY sequence
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = connection.QueryUnbufferedAsync<AuditRow>(sql);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return row.ToChained();
        }
    }

    private sealed class AuditRow
    {
        public long Sequence { get; init; }
        public string OccurredAt { get; init; } = "";
        public string EventType { get; init; } = "";
        public string Actor { get; init; } = "";
        public string Outcome { get; init; } = "";
        public string Target { get; init; } = "";
        public string Details { get; init; } = "";
        public string PreviousHash { get; init; } = "";
        public string Hash { get; init; } = "";

        // A row whose time or outcome no longer parses was tampered with; keep the text so the hash check reports it.
        public ChainedAuditEvent ToChained() => new(
            Sequence,
            new AuditEvent(
                DateTimeOffset.TryParseExact(OccurredAt, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : DateTimeOffset.MinValue,
                EventType,
                Actor,
                Enum.TryParse<AuditOutcome>(Outcome, out var outcome) ? outcome : (AuditOutcome)(-1),
                Target,
                Details),
            PreviousHash,
            Hash);
    }
}
