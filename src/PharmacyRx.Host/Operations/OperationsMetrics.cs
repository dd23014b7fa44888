using System.Diagnostics.Metrics;
using PharmacyRx.Core.Verification;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Clock;
using PharmacyRx.Host.Compliance;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Operations;

namespace PharmacyRx.Host.Operations;

/// <summary>
/// The instruments of the <see cref="PharmacyMeter"/> that IT watches (docs/operations-metrics.md). Labels are doors,
/// statuses, reason codes, groups and outcomes, never a name, MessageID or receipt id. Gauges read what the service
/// holds (<see cref="OperationsFigures.Current"/>, clock, compliance, CRLs); a scrape never reads the database.
/// </summary>
public sealed class OperationsMetrics
{
    // From 1 ms to 10 s: a commit waits for its batch (ArchiveWriter) and, for a signed message, for the CRL (1311.210(c)).
    private static readonly double[] ArchiveBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _received;
    private readonly Counter<long> _refused;
    private readonly Histogram<double> _archiveDuration;
    private readonly Counter<long> _anonymousRefusals;
    private readonly TimeProvider _time;

    public OperationsMetrics(
        IMeterFactory meters, OperationsFigures figures, CrlCache crls, BackupOptions backup, TimeProvider time,
        Microsoft.Extensions.Options.IOptions<OperationsOptions> options, IServiceProvider services)
    {
        _time = time;
        var meter = meters.Create(PharmacyMeter.Name);
        _received = meter.CreateCounter<long>("pharmacyrx.receipts", "{message}",
            "Messages received and archived, by door, status on receipt, reason code and whether it was a duplicate");
        _refused = meter.CreateCounter<long>("pharmacyrx.receipts.refused", "{message}",
            "Messages handed back unarchived for a storage fault (503, no ack, left in the inbox), by door and fault");
        _archiveDuration = meter.CreateHistogram("pharmacyrx.archive.duration", "s",
            "From the receipt stamp to the committed archive record, by door", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ArchiveBuckets });
        _anonymousRefusals = meter.CreateCounter<long>("pharmacyrx.anonymous.refusals", "{request}",
            "Requests refused for want of credentials (1311.215(a)(1)), by whether the address group's rate was spent");

        // In serve only; the command-line verbs have no clock check or compliance monitor and publish none of these.
        var clock = services.GetService<ClockCheck>();
        var compliance = services.GetService<ComplianceMonitor>();

        var held = services.GetService<HeldMessages>();
        if (held is not null)
        {
            meter.CreateObservableGauge("pharmacyrx.receipts.held", () => held.Count, "{message}",
                "Messages held unarchived because not even their Rejected record could be written (not a storage fault); retried");
        }

        meter.CreateObservableGauge("pharmacyrx.queue.prescriptions", () => Queue(figures, g => g.Count), "{prescription}",
            "Records in each group of the pharmacist's queue; NotYetDispensed counts to 1001 (the queue's cap)");
        meter.CreateObservableGauge("pharmacyrx.queue.oldest.age", () => Queue(figures, g => g.Oldest is { } at ? Age(at) : double.NaN), "s",
            "Age of the oldest record in each queue group");
        meter.CreateObservableGauge("pharmacyrx.queue.review.alert_after", () => options.Value.ReviewAlertAfter.TotalSeconds, "s",
            "Operations:ReviewAlertAfter: how long a prescription may wait for review before the alert");
        meter.CreateObservableGauge("pharmacyrx.figures.age", () => One(figures.Current?.ReadAt), "s",
            "Age of the reading the queue, backup, verify, head and incident figures come from (Operations:FiguresInterval)");

        meter.CreateObservableGauge("pharmacyrx.backup.enabled", () => backup.Enabled ? 1 : 0, "1", "Whether the daily backup is switched on (Backup:Enabled)");
        meter.CreateObservableGauge("pharmacyrx.backup.last.age", () => One(figures.Current?.NewestBackup), "s",
            "Age of the newest backup in the backup folder (1311.205(b)(17))");
        meter.CreateObservableGauge("pharmacyrx.backup.last_run.success", () => Success(figures.Current?.LastBackupRun), "1",
            "1 when the newest backup run succeeded, 0 when it failed (BackupCompleted / BackupFailed)");
        meter.CreateObservableGauge("pharmacyrx.verify.last.age", () => One(figures.Current?.LastVerify?.OccurredAt), "s",
            "Age of the newest `pharmacyrx verify` run (ArchiveVerified)");
        meter.CreateObservableGauge("pharmacyrx.verify.last.success", () => Success(figures.Current?.LastVerify), "1",
            "1 when the newest verify run found no problem, 0 when it failed");
        meter.CreateObservableGauge("pharmacyrx.audit.head.age", () => One(figures.Current?.LastHead?.OccurredAt), "s",
            "Age of the newest signed head of the audit chain");
        meter.CreateObservableGauge("pharmacyrx.audit.unsigned.age",
            () => figures.Current is not { } reading ? Nothing() : [new(reading.OldestUnsigned is { } unsigned ? Age(unsigned.OccurredAt) : 0)], "s",
            "Age of the oldest audit event not yet under a signed head; 0 when every event is");
        meter.CreateObservableGauge("pharmacyrx.incidents.undecided", () => figures.Current is { } reading ? [new(reading.Undecided)] : Array.Empty<Measurement<int>>(),
            "{event}", "Flagged auditable events nobody has decided (1311.215(c))");
        meter.CreateObservableGauge("pharmacyrx.incidents.undecided.oldest.age", () => One(figures.Current?.OldestUndecided), "s",
            "Age of the oldest undecided flagged event");

        meter.CreateObservableGauge("pharmacyrx.crl.next_update.remaining", () => CrlRemaining(crls), "s",
            "Time until each issuer's newest CRL reaches its nextUpdate; negative once past it (1311.210(c)(2)), by issuer");
        if (compliance is not null)
        {
            meter.CreateObservableGauge("pharmacyrx.compliance.paragraphs", () => Compliance(compliance), "{paragraph}",
                "Paragraphs of the compliance self-report, by status (Fail, Warn), as last made");
        }
        if (clock is not null)
        {
            meter.CreateObservableGauge("pharmacyrx.clock.offset", () => clock.Last is { Skew: { } skew } ? [new(skew.TotalSeconds)] : Array.Empty<Measurement<double>>(), "s",
                "The clock's offset from the time server at the last check (1311.205(b)(4)(v))");
            meter.CreateObservableGauge("pharmacyrx.clock.check.success", () => clock.Last is { } last ? [new(last.Skew is null ? 0 : 1)] : Array.Empty<Measurement<int>>(), "1",
                "1 when the last clock check reached a time server, 0 when it could not");
        }
    }

    /// <summary>One archived message: its door, outcome and the time from the receipt stamp to the commit.</summary>
    public void Received(ReceiptSource source, ArchiveResult result, TimeSpan archived)
    {
        var door = new KeyValuePair<string, object?>("door", source.Door);
        _received.Add(1, door, new("status", result.Status.ToString()), new("reason_code", result.ReasonCode ?? ""), new("duplicate", result.IsDuplicate ? "true" : "false"));
        _archiveDuration.Record(archived.TotalSeconds, door);
    }

    /// <summary>
    /// A message handed back for a storage fault: labelled with the kind the fault's name begins with ("disk full",
    /// "I/O error"), never its figures, so the label's values stay few.
    /// </summary>
    public void Refused(ReceiptSource source, string fault) =>
        _refused.Add(1, new KeyValuePair<string, object?>("door", source.Door), new("fault", fault.Split(':', '(', ';')[0].Trim()));

    /// <summary>A request refused for want of credentials; <paramref name="rateLimited"/> when its group's rate was spent (429).</summary>
    public void AnonymousRefused(bool rateLimited) =>
        _anonymousRefusals.Add(1, new KeyValuePair<string, object?>("rate_limited", rateLimited ? "true" : "false"));

    private double Age(DateTimeOffset at) => (_time.GetUtcNow() - at).TotalSeconds;

    private Measurement<double>[] One(DateTimeOffset? at) => at is { } when ? [new(Age(when))] : Nothing();

    private static Measurement<double>[] Nothing() => [];

    private static IEnumerable<Measurement<int>> Success(OperationsQueries.EventStamp? stamp) =>
        stamp is null ? [] : [new(stamp.Succeeded ? 1 : 0)];

    private static IEnumerable<Measurement<double>> Queue(OperationsFigures figures, Func<(string Group, long Count, DateTimeOffset? Oldest), double> value) =>
        figures.Current is { } reading
            ? reading.Queue.Select(g => (Group: g, Value: value(g))).Where(g => !double.IsNaN(g.Value))
                .Select(g => new Measurement<double>(g.Value, new KeyValuePair<string, object?>("group", g.Group.Group)))
            : [];

    private IEnumerable<Measurement<double>> CrlRemaining(CrlCache crls)
    {
        var now = _time.GetUtcNow();
        return crls.All.GroupBy(l => l.Issuer)
            .Select(g => g.OrderByDescending(l => l.ThisUpdate).First())
            .Where(l => l.NextUpdate is not null)
            .Select(l => new Measurement<double>((l.NextUpdate!.Value - now).TotalSeconds, new KeyValuePair<string, object?>("issuer", l.Issuer)));
    }

    private static IEnumerable<Measurement<int>> Compliance(ComplianceMonitor monitor) => monitor.Latest is { } report
        ? [new(report.Summary.Fail, new KeyValuePair<string, object?>("status", "Fail")), new(report.Summary.Warn, new KeyValuePair<string, object?>("status", "Warn"))]
        : [];
}
