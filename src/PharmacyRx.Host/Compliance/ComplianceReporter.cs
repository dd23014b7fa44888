using PharmacyRx.Host.Audit;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Clock;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Keys;
using PharmacyRx.Host.Verification;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Access;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Verification;

namespace PharmacyRx.Host.Compliance;

/// <summary>
/// Makes the compliance self-report: for each paragraph of <see cref="ComplianceCatalogue"/>, its text, what the
/// service does, live evidence from this installation, and the tests that prove it. Live checks reuse the service's own
/// rules (verify, backup manifest, CRL cache, permissions, file modes); none is written twice.
/// </summary>
public sealed partial class ComplianceReporter(
    DataFolder data,
    IConfiguration configuration,
    Func<string, string?> environment,
    ComplianceOptions options,
    BackupOptions backup,
    ISqlDialect dialect,
    PharmacyKeyHistory keys,
    AuditLog audit,
    AuditReporter reports,
    ArchiveVerifier verifier,
    ArchiveQueries archive,
    TrustStore trust,
    Core.Verification.CrlCache crls,
    SignatureVerification verification,
    VerificationEventStore statusChanges,
    AccessStore access,
    AccessPolicy accessPolicy,
    ClockCheck clock,
    ClockOptions clockOptions,
    IncidentStore incidents,
    TimeProvider time)
{
    private volatile BackupCheck? _lastBackupCheck;


    /// <summary>
    /// Makes the report now; <paramref name="testResults"/> is a TRX file or folder (null: <see cref="ComplianceOptions.TestResults"/>).
    /// With <paramref name="checkClock"/>, a clock not checked yet in this process is checked now (the command line has no
    /// earlier check); otherwise the last check is reported (<c>serve</c>'s hourly one).
    /// </summary>
    public async Task<ComplianceReport> BuildAsync(string? testResults, CancellationToken cancellationToken, bool checkClock = false)
    {
        var source = testResults ?? options.TestResults;
        var tests = string.IsNullOrWhiteSpace(source) ? null : TestResults.Read(source);
        var evidence = new Dictionary<LiveCheck, Evidence>();
        foreach (var check in ComplianceCatalogue.Entries.SelectMany(e => e.Checks).Distinct())
        {
            evidence[check] = await CheckAsync(check, checkClock, cancellationToken);
        }
        var paragraphs = ComplianceCatalogue.Entries.Select(entry =>
        {
            var seen = entry.Checks.Select(check => evidence[check]).ToList();
            var proven = tests?.For(entry.Paragraph) ?? [];
            if (tests is not null)
            {
                seen.Add(TestEvidence(proven, tests));
            }
            else if (seen.Count == 0)
            {
                // A paragraph of behaviour only (no state to look at) stands on its tests: without them nothing shows it holds.
                seen.Add(new("tests", ComplianceStatus.Warn, "this paragraph is proven by its tests, and no test results were given",
                    "Run ./scripts/test.sh and give its results: pharmacyrx compliance --test-results TestResults"));
            }
            var status = seen.Max(e => e.Status);
            return new ParagraphReport(entry.Paragraph, entry.Title, RegulationText.Of(entry.Paragraph) ?? "", entry.Service, status, seen, proven);
        }).ToArray();
        var summary = new ComplianceSummary(
            paragraphs.Count(p => p.Status == ComplianceStatus.Pass), paragraphs.Count(p => p.Status == ComplianceStatus.Warn),
            paragraphs.Count(p => p.Status == ComplianceStatus.Fail));
        return new ComplianceReport(time.GetUtcNow(), data.Root, tests?.Source, summary, paragraphs);
    }

    // The tests of a paragraph as evidence: all passed, one failed or did not run, or none at all.
    private static Evidence TestEvidence(IReadOnlyList<TestOutcome> proven, TestResults tests)
    {
        const string check = "tests";
        if (tests.Problems.Count > 0 && tests.Results.Count == 0)
        {
            return new(check, ComplianceStatus.Warn, string.Join("; ", tests.Problems), "Run ./scripts/test.sh and give its TestResults folder with --test-results.");
        }
        if (proven.Count == 0)
        {
            return new(check, ComplianceStatus.Fail, $"no test in {tests.Source} proves this paragraph");
        }
        var failed = proven.Where(t => t.Outcome != "passed").ToArray();
        return failed.Length == 0
            ? new(check, ComplianceStatus.Pass, $"{proven.Count} test(s) passed")
            : new(check, ComplianceStatus.Fail, $"{failed.Length} of {proven.Count} test(s) did not pass: {string.Join("; ", failed.Select(t => $"{t.Name} {t.Outcome}"))}");
    }

    private Task<Evidence> CheckAsync(LiveCheck check, bool checkClock, CancellationToken cancellationToken) => check switch
    {
        LiveCheck.KeyProtection => Task.FromResult(KeyProtection()),
        LiveCheck.Clock => ClockAsync(checkClock, cancellationToken),
        LiveCheck.Backups => BackupsAsync(cancellationToken),
        LiveCheck.SecondFolder => Task.FromResult(SecondFolder()),
        LiveCheck.AuditReport => AuditReportAsync(cancellationToken),
        LiveCheck.SignedChain => SignedChainAsync(cancellationToken),
        LiveCheck.TrustAnchors => TrustAnchorsAsync(cancellationToken),
        LiveCheck.CurrentCrls => CurrentCrlsAsync(cancellationToken),
        LiveCheck.PendingRecords => PendingRecordsAsync(cancellationToken),
        LiveCheck.Users => UsersAsync(cancellationToken),
        LiveCheck.Retention => RetentionAsync(cancellationToken),
        LiveCheck.FileModes => Task.FromResult(FileModes()),
        LiveCheck.PinOutside => Task.FromResult(PinOutside()),
        LiveCheck.SecurityIncidents => SecurityIncidentsAsync(cancellationToken),
        LiveCheck.IngestRefusals => IngestRefusalsAsync(cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(check), check, null),
    };
}
