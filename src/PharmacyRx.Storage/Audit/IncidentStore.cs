using System.Data.Common;
using System.Globalization;
using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Integrity;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// 1311.215(c): each flagged auditable event (one <see cref="IncidentCategories.Of"/> names, written by the service, from
/// the first keyed event on) is decided by a person, incident or not; an incident's report is kept (1304.06(d)) and
/// marked sent. Decisions are append-only rows covered by the audit chain; a row the chain does not hold counts for nothing.
/// </summary>
public sealed class IncidentStore(Database database, PharmacyClock clock, IIncidentReportPage page)
{
    /// <summary>The longest reason, action or recipient kept.</summary>
    public const int MaxTextLength = 2000;

    /// <summary>The most events one decision covers.</summary>
    public const int MaxEventsPerDecision = 10_000;

    // The flagged types as SQL literals: AuditEventTypes constants (letters only), never request text.
    private static readonly string FlaggedTypes = string.Join(", ", IncidentCategories.Types
        .Select(type => type.All(char.IsAsciiLetter) ? $"'{type}'" : throw new InvalidOperationException($"event type {type} is not letters only")));

    // The flagged events the service wrote, as far as the trail was read: events never change (verify proves it), so each is
    // read and checked once and later reads take only what was appended since, not the whole keyed trail again.
    private readonly List<(ChainedAuditEvent Stored, IncidentCategory Category)> _candidates = [];
    private long _scannedThrough;

    /// <summary>A decision's outcome: its id, or why it was refused.</summary>
    public sealed record Outcome(Guid? DecisionId, string? Problem);

    /// <summary>Reads the flagged events and the incidents as they stand now.</summary>
    public async Task<IncidentStanding> ReadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadAsync(connection, null, cancellationToken);
    }

    /// <summary>
    /// Decides flagged, undecided events together: a security incident (with what was done) or not, with the reason. An
    /// incident's report is written and kept now. Audited (<see cref="AuditEventTypes.IncidentDecided"/>).
    /// </summary>
    public async Task<Outcome> DecideAsync(
        IReadOnlyCollection<long> sequences, bool incident, string? reason, string? actionTaken, string actor, CancellationToken cancellationToken)
    {
        reason = reason?.Trim() ?? "";
        actionTaken = string.IsNullOrWhiteSpace(actionTaken) ? null : actionTaken.Trim();
        if (sequences.Count is 0 or > MaxEventsPerDecision)
        {
            return new(null, $"name 1 to {MaxEventsPerDecision} flagged events");
        }
        if (reason.Length is 0 or > MaxTextLength)
        {
            return new(null, $"give the reason (1 to {MaxTextLength} characters)");
        }
        if (incident && actionTaken is null or { Length: > MaxTextLength })
        {
            return new(null, $"for an incident, say what was done (1 to {MaxTextLength} characters)");
        }
        var now = clock.GetUtcNow();
        var decisionId = Guid.NewGuid();
        return await database.AuditedAsync<Outcome>(async (connection, transaction) =>
        {
            var standing = await ReadAsync(connection, transaction, cancellationToken);
            var open = standing.Events.Where(e => e.Verdict is null).ToDictionary(e => e.Sequence);
            if (sequences.Where(s => !open.ContainsKey(s)).Distinct().Order().ToArray() is { Length: > 0 } refused)
            {
                return (new Outcome(null, $"not flagged events waiting for a decision: {ChainIntrusions.Ranges(refused)}"), [], false);
            }
            var verdict = incident ? IncidentVerdict.Incident : IncidentVerdict.NotIncident;
            var ordered = sequences.Distinct().Order().ToArray();
            await InsertAsync(connection, transaction, ordered.Select(s => new Row(decisionId, s, verdict, reason, actionTaken, null, null, now, actor)), cancellationToken);
            if (incident)
            {
                var report = new IncidentReport(decisionId, now, actor, reason, actionTaken!, ReportingDeadline.DueDay(clock.ToLocalDate(now)),
                    ordered.Select(s => open[s]).Select(e => new IncidentReport.ReportedEvent(e.Sequence, e.Event.OccurredAt, e.Event.Type, e.Category, e.Event.Actor,
                        e.Event.Outcome.ToString(), e.Event.Target, e.Event.Details)).ToArray()) { Zone = clock.Zone };
                const string keep = """
                    INSERT INTO incident_reports (decision_id, report_text, report_html, written_at) VALUES (@DecisionId, @Text, @Html, @WrittenAt)
                    """;
                await connection.ExecuteAsync(new CommandDefinition(keep, new
                {
                    DecisionId = decisionId.ToString("D"), Text = report.ToText(), Html = await page.RenderAsync(report), WrittenAt = ReceiptSeal.FormatTimestamp(now),
                }, transaction, cancellationToken: cancellationToken));
            }
            return (new Outcome(decisionId, null), [new AuditEvent(now, AuditEventTypes.IncidentDecided, actor, AuditOutcome.Success, $"incident:{decisionId:D}",
                $"verdict={verdict}; sequences={ChainIntrusions.Ranges(ordered)}; events={ordered.Length}")], true);
        }, cancellationToken);
    }

    /// <summary>Marks an incident's report sent: to whom and when (at most now). Audited (<see cref="AuditEventTypes.IncidentReported"/>).</summary>
    public async Task<Outcome> MarkReportedAsync(Guid decisionId, string? reportedTo, DateTimeOffset? reportedAt, string actor, CancellationToken cancellationToken)
    {
        reportedTo = reportedTo?.Trim() ?? "";
        if (reportedTo.Length is 0 or > MaxTextLength)
        {
            return new(null, $"say to whom the report was sent (1 to {MaxTextLength} characters)");
        }
        var now = clock.GetUtcNow();
        var sentAt = reportedAt ?? now;
        if (sentAt > now)
        {
            return new(null, "the report cannot have been sent in the future");
        }
        return await database.AuditedAsync<Outcome>(async (connection, transaction) =>
        {
            var standing = await ReadAsync(connection, transaction, cancellationToken);
            if (standing.Incidents.FirstOrDefault(i => i.DecisionId == decisionId) is not { } found)
            {
                return (new Outcome(null, $"no incident {decisionId:D}"), [], false);
            }
            if (found.ReportedAt is not null)
            {
                return (new Outcome(null, $"incident {decisionId:D} was marked sent already"), [], false);
            }
            if (sentAt < found.DecidedAt)
            {
                return (new Outcome(null, "the report cannot have been sent before the incident was decided"), [], false);
            }
            await InsertAsync(connection, transaction, found.Sequences.Select(s =>
                new Row(decisionId, s, IncidentVerdict.Reported, found.Reason, found.ActionTaken, reportedTo, sentAt, now, actor)), cancellationToken);
            return (new Outcome(decisionId, null), [new AuditEvent(now, AuditEventTypes.IncidentReported, actor, AuditOutcome.Success, $"incident:{decisionId:D}",
                $"sentAt={ReceiptSeal.FormatTimestamp(sentAt)}; due={found.DueDay:yyyy-MM-dd}; to={reportedTo}")], true);
        }, cancellationToken);
    }

    /// <summary>An incident's kept report (text and HTML), or null when there is none the audit chain holds.</summary>
    public async Task<(string Text, string Html)?> ReportAsync(Guid decisionId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT report_text, report_html FROM incident_reports WHERE decision_id = @DecisionId
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        var key = decisionId.ToString("D");
        var report = await connection.QuerySingleOrDefaultAsync<(string Text, string Html)?>(new CommandDefinition(sql, new { DecisionId = key }, cancellationToken: cancellationToken));
        return report is not null && await CoverageCheck.IsCoveredAsync(connection, null, CoveredTables.Find("incident_reports")!, key, cancellationToken)
            ? report
            : null;
    }

    private async Task<IncidentStanding> ReadAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var events = new List<IncidentStanding.FlaggedEvent>();
        if (await KeyedFromAsync(connection, transaction, cancellationToken) is not { } keyedFrom)
        {
            return new IncidentStanding([], [], clock.GetUtcNow());
        }
        var candidates = await CandidatesAsync(connection, transaction, keyedFrom, cancellationToken);

        const string decisions = """
            SELECT id, decision_id, audit_sequence, verdict, reason, action_taken, reported_to, reported_at, decided_at, decided_by
            FROM incident_decisions ORDER BY id
            """;
        var table = CoveredTables.Find("incident_decisions")!;
        var held = new List<Row>();
        foreach (var row in await connection.QueryAsync<DecisionRow>(new CommandDefinition(decisions, transaction: transaction, cancellationToken: cancellationToken)))
        {
            // A row planted in the file (the chain never recorded it) decides nothing.
            if (row.ToRow() is { } parsed
                && await CoverageCheck.IsCoveredAsync(connection, transaction, table, row.Id.ToString(CultureInfo.InvariantCulture), cancellationToken))
            {
                held.Add(parsed);
            }
        }
        var newest = new Dictionary<long, Row>();
        foreach (var row in held)
        {
            newest[row.Sequence] = row;
        }
        foreach (var (stored, category) in candidates)
        {
            var state = newest.GetValueOrDefault(stored.Sequence);
            events.Add(new(stored.Sequence, stored.Event, category, state?.Verdict, state?.DecisionId));
        }
        var flaggedSequences = candidates.Select(c => c.Stored.Sequence).ToHashSet();
        var incidents = held.Where(r => r.Verdict == IncidentVerdict.Incident && flaggedSequences.Contains(r.Sequence))
            .GroupBy(r => r.DecisionId)
            .Select(g =>
            {
                var first = g.First();
                var reported = held.FirstOrDefault(r => r.DecisionId == g.Key && r.Verdict == IncidentVerdict.Reported);
                return new IncidentStanding.Incident(g.Key, first.DecidedAt, first.DecidedBy, first.Reason, first.ActionTaken ?? "",
                    [.. g.Select(r => r.Sequence).Order()], ReportingDeadline.DueDay(clock.ToLocalDate(first.DecidedAt)),
                    ReportingDeadline.DueBy(first.DecidedAt, clock.Zone), reported?.ReportedTo, reported?.ReportedAt);
            })
            .OrderBy(i => i.DecidedAt)
            .ToArray();
        return new IncidentStanding(events, incidents, clock.GetUtcNow());
    }

    // Candidates by type, read after the last sequence read before; the MAC then tells the service's events from events
    // someone appended with the public hash. Only a read outside a transaction is kept: one inside may see its own events,
    // which a rollback would take back. No lock is held while the database is read.
    private async Task<(ChainedAuditEvent Stored, IncidentCategory Category)[]> CandidatesAsync(
        DbConnection connection, DbTransaction? transaction, long keyedFrom, CancellationToken cancellationToken)
    {
        long after;
        (ChainedAuditEvent Stored, IncidentCategory Category)[] known;
        lock (_candidates)
        {
            (after, known) = (Math.Max(_scannedThrough, keyedFrom - 1), [.. _candidates]);
        }
        // Up to the head this reader sees: every event at or below it is committed (appends take the head in turn).
        var head = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MAX(sequence) FROM audit_events", transaction: transaction, cancellationToken: cancellationToken)) ?? 0;
        if (head <= after)
        {
            return known;
        }
        var flagged = $"""
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events WHERE sequence > @After AND sequence <= @Head AND event_type IN ({FlaggedTypes}) ORDER BY sequence
            """;
        var found = new List<(ChainedAuditEvent Stored, IncidentCategory Category)>();
        foreach (var stored in (await connection.QueryAsync<AuditLog.AuditRow>(new CommandDefinition(flagged,
            new { After = after, Head = head }, transaction, cancellationToken: cancellationToken))).Select(row => row.ToChained()))
        {
            if (IncidentCategories.Of(stored.Event) is { } category
                && AuditChain.Hash(stored.Sequence, stored.Event, stored.PreviousHash) == stored.Hash
                && await CoverageCheck.WrittenByServiceAsync(connection, transaction, stored))
            {
                found.Add((stored, category));
            }
        }
        if (transaction is null)
        {
            lock (_candidates)
            {
                // Another read may have kept part of this range meanwhile: only what lies beyond it is added.
                _candidates.AddRange(found.Where(candidate => candidate.Stored.Sequence > _scannedThrough));
                _scannedThrough = Math.Max(_scannedThrough, head);
            }
        }
        return [.. known, .. found];
    }

    // The sequence of the first keyed event (the first ChainKeyed event, read once per database).
    private async Task<long?> KeyedFromAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return database.KeyedFrom ??= await ChainKeyedAt.FindAsync(connection, transaction);
    }

    private static async Task InsertAsync(DbConnection connection, DbTransaction transaction, IEnumerable<Row> rows, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO incident_decisions (decision_id, audit_sequence, verdict, reason, action_taken, reported_to, reported_at, decided_at, decided_by)
            VALUES (@DecisionId, @Sequence, @Verdict, @Reason, @ActionTaken, @ReportedTo, @ReportedAt, @DecidedAt, @DecidedBy)
            """;
        foreach (var row in rows)
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                DecisionId = row.DecisionId.ToString("D"), row.Sequence, Verdict = row.Verdict.ToString(), row.Reason, row.ActionTaken, row.ReportedTo,
                ReportedAt = row.ReportedAt is { } at ? ReceiptSeal.FormatTimestamp(at) : null, DecidedAt = ReceiptSeal.FormatTimestamp(row.DecidedAt), row.DecidedBy,
            }, transaction, cancellationToken: cancellationToken));
        }
    }

    private sealed record Row(
        Guid DecisionId, long Sequence, IncidentVerdict Verdict, string Reason, string? ActionTaken, string? ReportedTo, DateTimeOffset? ReportedAt,
        DateTimeOffset DecidedAt, string DecidedBy);

    private sealed class DecisionRow
    {
        public long Id { get; init; }
        public string DecisionId { get; init; } = "";
        public long AuditSequence { get; init; }
        public string Verdict { get; init; } = "";
        public string Reason { get; init; } = "";
        public string? ActionTaken { get; init; }
        public string? ReportedTo { get; init; }
        public string? ReportedAt { get; init; }
        public string DecidedAt { get; init; } = "";
        public string DecidedBy { get; init; } = "";

        public Row? ToRow() =>
            Guid.TryParseExact(DecisionId, "D", out var id)
            && Enum.TryParse<IncidentVerdict>(Verdict, out var verdict)
            && ReceiptSeal.TryParseTimestamp(DecidedAt, out var decidedAt)
                ? new Row(id, AuditSequence, verdict, Reason, ActionTaken, ReportedTo,
                    ReportedAt is not null && ReceiptSeal.TryParseTimestamp(ReportedAt, out var reportedAt) ? reportedAt : null, decidedAt, DecidedBy)
                : null;
    }
}
