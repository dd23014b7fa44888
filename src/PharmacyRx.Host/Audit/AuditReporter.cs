using System.Globalization;
using System.Text;
using System.Text.Json;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Audit;

/// <summary>
/// Writes the daily audit report (1311.215(b)) into <c>DATA/reports</c> per local day, signing the chain head
/// (<see cref="ChainHeads"/>): incidents by category of 1311.215(a), chain breaks, earlier signed heads the trail lost
/// (truncation), and copies missing from <c>Backup:SecondFolder</c> (1311.215(a)(3)).
/// </summary>
public sealed class AuditReporter(
    AuditLog audit, PharmacySigningKey? signingKey, DataFolder data, PharmacyClock clock, ChainHeads heads, Backup.SecondFolderCopies? secondFolder = null,
    Func<CancellationToken, Task<Compliance.ComplianceSummary?>>? compliance = null, IncidentStore? incidentStore = null)
{
    public const string Actor = "system:audit-report";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] Formats = ["txt", "html", "csv", "json"];

    public string Folder => Path.Combine(data.Root, "reports");

    /// <summary>The stored report of a day in a format (txt, html, csv, json), or null when there is none.</summary>
    public string? Read(DateOnly day, string format) =>
        Formats.Contains(format) && File.Exists(PathOf(day, format)) ? File.ReadAllText(PathOf(day, format)) : null;

    /// <summary>The pharmacy's local calendar day before today: the last day a report is due for (1311.215(b)).</summary>
    public DateOnly Yesterday() => clock.Today.AddDays(-1);

    /// <summary>The pharmacy's local calendar day of an instant.</summary>
    public DateOnly LocalDay(DateTimeOffset instant) => clock.ToLocalDate(instant);

    /// <summary>The days that have a stored report, newest first.</summary>
    public IReadOnlyList<DateOnly> Days() => !Directory.Exists(Folder) ? [] : Directory.EnumerateFiles(Folder, "audit-*.json")
        .Select(f => Path.GetFileNameWithoutExtension(f)["audit-".Length..])
        .Select(d => DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : (DateOnly?)null)
        .OfType<DateOnly>()
        .OrderDescending()
        .ToArray();

    /// <summary>
    /// Today's report so far, for pharmacy IT's daily reading (1311.215(a)): today's auditable events by category, read
    /// from today's events alone. Nothing is stored or signed; the night's report of the whole day also walks the chain
    /// and finds grants to oneself, which need the whole trail.
    /// </summary>
    public async Task<AuditReport> TodaySoFarAsync(CancellationToken cancellationToken)
    {
        var day = clock.Today;
        var incidents = new List<AuditReport.Incident>();
        long events = 0, headSequence = 0;
        var headHash = AuditChain.GenesisHash;
        await foreach (var stored in audit.ReadNewestFirstSinceAsync(clock.StartOfDay(day), cancellationToken))
        {
            if (events++ == 0)
            {
                (headSequence, headHash) = (stored.Sequence, stored.Hash);
            }
            if (IncidentCategories.Of(stored.Event) is { } category)
            {
                var e = stored.Event;
                incidents.Add(new(category, stored.Sequence, e.OccurredAt, e.Type, e.Actor, e.Outcome.ToString(), e.Target, e.Details));
            }
        }
        return new AuditReport(day, clock.GetUtcNow(), events, headSequence, headHash,
            incidents.OrderBy(i => i.Category).ThenBy(i => i.Sequence).ToArray()) { TimeZone = clock.Zone.Id };
    }

    /// <summary>A stored day's report as it was written (its JSON), or null when there is none.</summary>
    public AuditReport? ReadReport(DateOnly day) =>
        Read(day, "json") is { } json ? JsonSerializer.Deserialize<AuditReport>(json, Json) : null;

    /// <summary>Analyses a day and stores its report; needs the signing key (the chain head is signed).</summary>
    public async Task<AuditReport> GenerateAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var key = signingKey ?? throw new InvalidOperationException("the audit report signs the chain head: the pharmacy key is needed");
        // 1311.215(b): the report's day is the pharmacy's day, 23 or 25 hours long when its clocks change.
        var start = clock.StartOfDay(day);
        var end = clock.StartOfDay(day.AddDays(1));
        var incidents = new List<AuditReport.Incident>();
        var securityIncidents = incidentStore;
        var walker = new AuditChain.Walker(audit.ChainKeys);
        var hashes = new Dictionary<long, string>();
        long eventsThatDay = 0, headSequence = 0;
        var headHash = AuditChain.GenesisHash;
        var signedHeads = heads.Read()
            .Where(f => f.Head is not null)
            .ToDictionary(f => f.Sequence, f => (Day: clock.ToLocalDate(f.Head!.SignedAt), f.Head.Hash));
        var selfGrants = new SelfGrantWatch();
        await foreach (var stored in audit.ReadAllAsync(cancellationToken))
        {
            foreach (var problem in walker.Next(stored))
            {
                incidents.Add(new(IncidentCategory.AuditTrailInterference, stored.Sequence, stored.Event.OccurredAt, "AuditChainBroken", "-", "Failure",
                    $"audit event {stored.Sequence}", problem));
            }
            if (signedHeads.ContainsKey(stored.Sequence))
            {
                hashes[stored.Sequence] = stored.Hash;
            }
            (headSequence, headHash) = (stored.Sequence, stored.Hash);
            // Who controls which account is learnt from the whole trail, not only the day's events.
            var selfGrant = selfGrants.Next(stored.Event);
            if (stored.Event.OccurredAt >= start && stored.Event.OccurredAt < end)
            {
                eventsThatDay++;
                if (selfGrant is not null)
                {
                    // 1311.215(a)(2): a grant to oneself through an account one created, re-enabled or reset.
                    var e = stored.Event;
                    incidents.Add(new(IncidentCategory.UnauthorizedModification, stored.Sequence, e.OccurredAt, e.Type, e.Actor, e.Outcome.ToString(), e.Target,
                        $"{selfGrant}; {e.Details}"));
                }
                else if (IncidentCategories.Of(stored.Event) is { } category)
                {
                    var e = stored.Event;
                    incidents.Add(new(category, stored.Sequence, e.OccurredAt, e.Type, e.Actor, e.Outcome.ToString(), e.Target, e.Details));
                }
            }
        }
        // 1311.215(a)(5): a head signed on an earlier day that the trail no longer holds means events were removed or changed.
        foreach (var (sequence, (signedDay, hash)) in signedHeads)
        {
            if (!hashes.TryGetValue(sequence, out var now) || now != hash)
            {
                incidents.Add(new(IncidentCategory.AuditTrailInterference, sequence, clock.GetUtcNow(), "AuditTrailTruncated", "-", "Failure", $"audit event {sequence}",
                    $"the chain head signed on {signedDay:yyyy-MM-dd} (event {sequence}) is {(now is null ? "gone" : "changed")}: the trail was truncated or rewritten"));
            }
        }

        if (day == Yesterday() && secondFolder?.Behind() is [_, ..] behind)
        {
            // 1311.215(a)(3): copies outside the data folder that an unreachable or full second folder still lacks.
            incidents.Add(new(IncidentCategory.InterferenceWithOperations, 0, clock.GetUtcNow(), "SecondFolderBehind", Backup.BackupService.Actor, "Failure",
                "Backup:SecondFolder", $"{behind.Count} copies not yet written there (retried): {string.Join("; ", behind.Take(10))}"));
        }
        var report = new AuditReport(day, clock.GetUtcNow(), eventsThatDay, headSequence, headHash,
            incidents.OrderBy(i => i.Category).ThenBy(i => i.Sequence).ToArray())
        {
            TimeZone = clock.Zone.Id,
            // 1311.215(c): what still waits for a decision, and each open incident's deadline, until its report is sent.
            SecurityIncidents = securityIncidents is null ? null : (await securityIncidents.ReadAsync(cancellationToken)).Summary(),
        };
        Directory.CreateDirectory(Folder);
        if (compliance is not null && day == Yesterday())
        {
            // The daily report links to the compliance self-report with its count, made once this day's report exists
            // (the self-report checks that it does); a day caught up later names the command only.
            await File.WriteAllTextAsync(PathOf(day, "json"), report.ToJson(), cancellationToken);
            report = report with { Compliance = (await compliance(cancellationToken))?.ToString() };
        }
        await File.WriteAllTextAsync(PathOf(day, "txt"), report.ToText(), cancellationToken);
        await File.WriteAllTextAsync(PathOf(day, "html"), await report.ToHtmlAsync(), cancellationToken);
        await File.WriteAllTextAsync(PathOf(day, "csv"), report.ToCsv(), cancellationToken);
        await File.WriteAllTextAsync(PathOf(day, "json"), report.ToJson(), cancellationToken);
        await audit.AppendAsync([new AuditEvent(clock.GetUtcNow(), AuditEventTypes.AuditReportWritten, Actor, AuditOutcome.Success,
            day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), $"incidents={report.Incidents.Count}; chainHead={headSequence}")], cancellationToken);
        await heads.SignAsync(cancellationToken);
        return report;
    }

    /// <summary>Writes the report of every day from the day after the newest report (or the first audit event) to yesterday.</summary>
    public async Task<int> CatchUpAsync(CancellationToken cancellationToken)
    {
        var yesterday = Yesterday();
        DateOnly? first = Days() is [var newest, ..] ? newest.AddDays(1) : null;
        if (first is null)
        {
            await foreach (var stored in audit.ReadAllAsync(cancellationToken))
            {
                first = LocalDay(stored.Event.OccurredAt);
                break;
            }
        }
        var written = 0;
        for (var day = first ?? yesterday.AddDays(1); day <= yesterday; day = day.AddDays(1))
        {
            await GenerateAsync(day, cancellationToken);
            written++;
        }
        return written;
    }

    private string PathOf(DateOnly day, string extension) => Path.Combine(Folder, $"audit-{day:yyyy-MM-dd}.{extension}");
}
