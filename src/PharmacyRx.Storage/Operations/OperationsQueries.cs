using Dapper;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage.Operations;

/// <summary>
/// The audit-trail reads behind the monitoring figures: the newest event of some types (last backup, last verify, last
/// signed head) and the oldest event not yet under a signed head. Each is one indexed lookup, never a scan of the trail.
/// </summary>
public sealed class OperationsQueries(Database database)
{
    /// <summary>An event as the figures need it: when, what, and whether it succeeded; no actor, no details.</summary>
    public sealed record EventStamp(long Sequence, DateTimeOffset OccurredAt, string EventType, bool Succeeded, string Target);

    /// <summary>The newest event of any of <paramref name="eventTypes"/>, or null.</summary>
    public async Task<EventStamp?> LatestAsync(IReadOnlyList<string> eventTypes, CancellationToken cancellationToken)
    {
        // One lookup per type down ix_audit_events_type_time (0002), newest first; the newest of those few wins.
        var sql = $"""
            SELECT sequence, occurred_at, event_type, outcome, target FROM audit_events
            WHERE event_type = @EventType ORDER BY occurred_at DESC, sequence DESC {database.Dialect.FirstRows("1")}
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        EventStamp? newest = null;
        foreach (var eventType in eventTypes)
        {
            var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { EventType = eventType }, cancellationToken: cancellationToken));
            if (row?.ToStamp() is { } stamp && (newest is null || stamp.Sequence > newest.Sequence))
            {
                newest = stamp;
            }
        }
        return newest;
    }

    /// <summary>The event right after <paramref name="sequence"/> (the trail has no gaps), or null when it is the newest.</summary>
    public async Task<EventStamp?> NextAsync(long sequence, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT sequence, occurred_at, event_type, outcome, target FROM audit_events WHERE sequence = @Sequence
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { Sequence = sequence + 1 }, cancellationToken: cancellationToken)))?.ToStamp();
    }

    private sealed class Row
    {
        public long Sequence { get; init; }
        public string OccurredAt { get; init; } = "";
        public string EventType { get; init; } = "";
        public string Outcome { get; init; } = "";
        public string Target { get; init; } = "";

        // A row whose time does not parse was tampered with: verify reports it; the figures skip it.
        public EventStamp? ToStamp() => ReceiptSeal.TryParseTimestamp(OccurredAt, out var at)
            ? new EventStamp(Sequence, at, EventType, Outcome == "Success", Target)
            : null;
    }
}
