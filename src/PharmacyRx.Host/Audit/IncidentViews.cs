using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Audit;

/// <summary>The security incidents (1311.215(c)) as the API, the console and the command line show them.</summary>
public static class IncidentViews
{
    public sealed record FlaggedEventView(long Sequence, DateTimeOffset OccurredAt, string Type, string Category, string Actor, string Outcome, string Target,
        string Details, string State, Guid? DecisionId);

    public sealed record IncidentView(Guid DecisionId, DateTimeOffset DecidedAt, string DecidedBy, string Reason, string ActionTaken, IReadOnlyList<long> Sequences,
        DateOnly DueDay, DateTimeOffset DueBy, bool Overdue, string? ReportedTo, DateTimeOffset? ReportedAt);

    public sealed record IncidentsView(int Undecided, int UndecidedOverADay, IReadOnlyList<FlaggedEventView> Events, IReadOnlyList<IncidentView> Incidents);

    /// <summary>The standing as the API and the command line show it.</summary>
    public static IncidentsView View(IncidentStanding standing) => new(
        standing.Undecided.Count,
        standing.Late.Count,
        [.. standing.Events.Select(e => new FlaggedEventView(e.Sequence, e.Event.OccurredAt, e.Event.Type, e.Category.ToString(), e.Event.Actor,
            e.Event.Outcome.ToString(), e.Event.Target, e.Event.Details, e.Verdict?.ToString() ?? "Undecided", e.DecisionId))],
        [.. standing.Incidents.Select(i => new IncidentView(i.DecisionId, i.DecidedAt, i.DecidedBy, i.Reason, i.ActionTaken, i.Sequences, i.DueDay, i.DueBy,
            i.IsOverdue(standing.At), i.ReportedTo, i.ReportedAt))]);

    /// <summary>The Content-Security-Policy an incident report's HTML is served with: its style sheet alone, sandboxed.</summary>
    public static string ReportPolicy { get; } =
        $"default-src 'none'; style-src {PharmacyRx.Core.Audit.IncidentReport.StyleHash}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";
}
