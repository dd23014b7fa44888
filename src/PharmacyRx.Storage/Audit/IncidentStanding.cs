using PharmacyRx.Core.Audit;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// The flagged auditable events and the incidents as they stand at <see cref="At"/> (1311.215(c)): each event's newest
/// decision, each incident's deadline and whether its report was sent.
/// </summary>
public sealed record IncidentStanding(IReadOnlyList<IncidentStanding.FlaggedEvent> Events, IReadOnlyList<IncidentStanding.Incident> Incidents, DateTimeOffset At)
{
    /// <summary>How long a flagged event may wait for a decision.</summary>
    public static readonly TimeSpan DecisionTime = TimeSpan.FromDays(1);

    /// <summary>A flagged event: its category and its state (null: undecided).</summary>
    public sealed record FlaggedEvent(long Sequence, AuditEvent Event, IncidentCategory Category, IncidentVerdict? Verdict, Guid? DecisionId);

    /// <summary>An incident: the decision, its events, its deadline (<see cref="ReportingDeadline"/>) and when and to whom it was reported.</summary>
    public sealed record Incident(
        Guid DecisionId, DateTimeOffset DecidedAt, string DecidedBy, string Reason, string ActionTaken, IReadOnlyList<long> Sequences,
        DateOnly DueDay, DateTimeOffset DueBy, string? ReportedTo, DateTimeOffset? ReportedAt)
    {
        public bool IsOverdue(DateTimeOffset now) => ReportedAt is null && now >= DueBy;
    }

    public IReadOnlyList<FlaggedEvent> Undecided => [.. Events.Where(e => e.Verdict is null)];

    /// <summary>Undecided events older than <see cref="DecisionTime"/>: 1311.215(c) not met.</summary>
    public IReadOnlyList<FlaggedEvent> Late => [.. Undecided.Where(e => At - e.Event.OccurredAt > DecisionTime)];

    /// <summary>Incidents whose report is not marked sent.</summary>
    public IReadOnlyList<Incident> Open => [.. Incidents.Where(i => i.ReportedAt is null)];

    /// <summary>Incidents past their deadline, unsent: 1311.215(c) not met.</summary>
    public IReadOnlyList<Incident> Overdue => [.. Incidents.Where(i => i.IsOverdue(At))];

    /// <summary>An undecided <see cref="AuditEventTypes.ChainIntrusion"/>: someone wrote into the audit trail and nobody has looked.</summary>
    public IReadOnlyList<FlaggedEvent> UndecidedIntrusions => [.. Undecided.Where(e => e.Event.Type == AuditEventTypes.ChainIntrusion)];

    /// <summary>One line for reports: how many wait, and each open incident's deadline.</summary>
    public string Summary()
    {
        var open = Open.Select(i => $"incident {i.DecisionId:D} due by the end of {i.DueDay:yyyy-MM-dd}{(i.IsOverdue(At) ? " (overdue)" : "")}");
        return $"{Undecided.Count} flagged event(s) undecided ({Late.Count} for more than a day); {Open.Count} incident report(s) not sent"
            + (Open.Count > 0 ? ": " + string.Join("; ", open) : "");
    }
}
