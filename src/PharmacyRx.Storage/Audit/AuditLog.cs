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
    /// <summary>The chain's keys, or null where the key password was not given (then MACs cannot be checked).</summary>
    public ChainKeyRing? ChainKeys => database.ChainKeys;

    /// <summary>Appends events in their own transaction.</summary>
    public async Task AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        await AppendAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Appends events inside a write transaction the caller commits.</summary>
    public static async Task AppendAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var appender = new AuditAppender(connection);
        await appender.AppendAsync(transaction, events);
    }

    /// <summary>The newest event's sequence number and hash (0 and the genesis hash for an empty trail).</summary>
    public async Task<(long Sequence, string Hash)> HeadAsync(CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT sequence, hash FROM audit_events ORDER BY sequence DESC {database.Dialect.FirstRows("1")}
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        var head = await connection.QuerySingleOrDefaultAsync<(long Sequence, string Hash)?>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        return head ?? (0, AuditChain.GenesisHash);
    }

    /// <summary>The newest event, or null for an empty trail.</summary>
    public async Task<ChainedAuditEvent?> LatestAsync(CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events ORDER BY sequence DESC {database.Dialect.FirstRows("1")}
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<AuditRow>(new CommandDefinition(sql, cancellationToken: cancellationToken)))?.ToChained();
    }

    /// <summary>One stored event by its sequence number, or null.</summary>
    public static async Task<ChainedAuditEvent?> ReadAsync(DbConnection connection, DbTransaction? transaction, long sequence, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events WHERE sequence = @Sequence
            """;
        return (await connection.QuerySingleOrDefaultAsync<AuditRow>(new CommandDefinition(sql, new { Sequence = sequence }, transaction,
            cancellationToken: cancellationToken)))?.ToChained();
    }

    /// <summary>The first stored event of a type (the installation's <c>SystemInitialized</c>, the first receipt), or null.</summary>
    public async Task<ChainedAuditEvent?> FirstAsync(string eventType, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events WHERE event_type = @EventType ORDER BY sequence {database.Dialect.FirstRows("1")}
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<AuditRow>(
            new CommandDefinition(sql, new { EventType = eventType }, cancellationToken: cancellationToken)))?.ToChained();
    }

    /// <summary>Streams every stored event in sequence order.</summary>
    public async IAsyncEnumerable<ChainedAuditEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events ORDER BY sequence
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = connection.QueryUnbufferedAsync<AuditRow>(sql);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return row.ToChained();
        }
    }

    /// <summary>
    /// Streams the stored events after <paramref name="after"/> in sequence order on the caller's connection, so what else
    /// the caller reads there (verify: the covered tables) is of the same moment.
    /// </summary>
    public static async IAsyncEnumerable<ChainedAuditEvent> ReadAfterAsync(
        DbConnection connection, DbTransaction? transaction, long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events WHERE sequence > @After ORDER BY sequence
            """;
        var rows = connection.QueryUnbufferedAsync<AuditRow>(sql, new { After = after }, transaction);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return row.ToChained();
        }
    }

    /// <summary>
    /// The events that open and close a period when ingest was refused (a full or failing disk), newest first, back to
    /// <paramref name="since"/>; with the chain key, only those the service wrote.
    /// </summary>
    public async Task<IReadOnlyList<ChainedAuditEvent>> IngestRefusalsAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        // The WHERE is the partial index's, word for word (0033_index_ingest_refusals.sql).
        const string sql = """
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events WHERE event_type IN ('IngestRefused', 'IngestResumed') ORDER BY sequence DESC
            """;
        var found = new List<ChainedAuditEvent>();
        await using var connection = await database.OpenAsync(cancellationToken);
        await foreach (var row in connection.QueryUnbufferedAsync<AuditRow>(sql).WithCancellation(cancellationToken))
        {
            var stored = row.ToChained();
            if (stored.Event.OccurredAt < since)
            {
                break;
            }
            if (database.ChainKeys is not { } keys || keys.Holds(stored.Hash, stored.Mac))
            {
                found.Add(stored);
            }
        }
        return found;
    }

    /// <summary>Streams the stored events of a type, newest first.</summary>
    public async IAsyncEnumerable<ChainedAuditEvent> ReadNewestFirstAsync(string eventType, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events WHERE event_type = @EventType ORDER BY sequence DESC
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = connection.QueryUnbufferedAsync<AuditRow>(sql, new { EventType = eventType });
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return row.ToChained();
        }
    }

    /// <summary>
    /// Streams the stored events from the newest back to the first that occurred at or after <paramref name="since"/>:
    /// a day's events so far, read by the sequence's index alone (events are appended in time order).
    /// </summary>
    public async IAsyncEnumerable<ChainedAuditEvent> ReadNewestFirstSinceAsync(DateTimeOffset since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events ORDER BY sequence DESC
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = connection.QueryUnbufferedAsync<AuditRow>(sql);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            var stored = row.ToChained();
            if (stored.Event.OccurredAt < since)
            {
                yield break;
            }
            yield return stored;
        }
    }

    internal sealed class AuditRow
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
        public string? Mac { get; init; }

        // A row whose time or outcome no longer parses was tampered with; keep the text so the hash check reports it.
        public ChainedAuditEvent ToChained() => new(
            Sequence,
            new AuditEvent(
                ReceiptSeal.TryParseTimestamp(OccurredAt, out var at) ? at : DateTimeOffset.MinValue,
                EventType,
                Actor,
                Enum.TryParse<AuditOutcome>(Outcome, out var outcome) ? outcome : (AuditOutcome)(-1),
                Target,
                Details),
            PreviousHash,
            Hash,
            Mac);
    }
}
