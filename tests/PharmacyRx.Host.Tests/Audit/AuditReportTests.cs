using System.Text.Json;
using Microsoft.Data.Sqlite;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Audit;
using PharmacyRx.Host.Keys;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Tests.Verification;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Audit;

/// <summary>The daily audit analysis (1311.215(b)): seeded events of each kind of 1311.215(a), a tampered trail, a truncation, missed days.</summary>
public class AuditReportTests
{
    private static readonly DateOnly Day = new(2026, 11, 20);

    private static DateTimeOffset At(DateOnly day, int hour) => new(day.ToDateTime(new TimeOnly(hour, 0)), TimeZoneInfo.Local.GetUtcOffset(day.ToDateTime(new TimeOnly(hour, 0))));

    private static AuditReporter Reporter(VerifyingPharmacy pharmacy, TimeProvider clock, TimeZoneInfo? zone = null) =>
        new(pharmacy.Get<AuditLog>(), pharmacy.Get<PharmacySigningKey>(), pharmacy.Data, new PharmacyClock(clock, zone ?? TimeZoneInfo.Local),
            new ChainHeads(pharmacy.Get<AuditLog>(), pharmacy.Get<PharmacyRx.Storage.Database>(), pharmacy.Get<PharmacySigningKey>(), pharmacy.Data,
                new BackupOptions(), pharmacy.Get<PharmacyKeyHistory>(), clock, new ServiceOptions()));

    private static Task SeedAsync(VerifyingPharmacy pharmacy, params AuditEvent[] events) =>
        pharmacy.Get<AuditLog>().AppendAsync(events, CancellationToken.None);

    private static async Task TamperAsync(VerifyingPharmacy pharmacy, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    [Test]
    [Property("Rule", "1311.205(b)(15)")]
    [Property("Rule", "1311.215(a)")]
    [Property("Rule", "1311.215(b)")]
    public async Task The_report_lists_each_kind_of_auditable_event_of_the_day_and_nothing_routine()
    {
        await using var pharmacy = await VerifyingPharmacy.CreateAsync();
        await SeedAsync(pharmacy,
            new(At(Day, 8), AuditEventTypes.UnauthorizedAccessAttempt, "tech1", AuditOutcome.Failure, "POST /api/prescriptions/{receiptId:guid}/dispensings", "required=Dispense"),
            new(At(Day, 9), AuditEventTypes.UnauthorizedModificationAttempt, "admin", AuditOutcome.Failure, "admin", "function=PermissionGranted"),
            new(At(Day, 10), AuditEventTypes.BackupFailed, BackupActor, AuditOutcome.Failure, "pharmacyrx-x", "disk full"),
            new(At(Day, 11), AuditEventTypes.PermissionGranted, "admin", AuditOutcome.Success, "tech1", "before: …; after: permissions=Dispense"),
            new(At(Day, 12), AuditEventTypes.PrescriptionReceived, "system:http", AuditOutcome.Success, "r", "routine"),
            new(At(Day.AddDays(1), 8), AuditEventTypes.UnauthorizedAccessAttempt, "tech1", AuditOutcome.Failure, "x", "the next day"));
        var reporter = Reporter(pharmacy, new ManualTimeProvider(At(Day.AddDays(2), 1)));

        var report = await reporter.GenerateAsync(Day, CancellationToken.None);

        Assert.That(report.Incidents.Select(i => (i.Category, i.Type)), Is.EqualTo(new[]
        {
            (IncidentCategory.UnauthorizedAccess, AuditEventTypes.UnauthorizedAccessAttempt),
            (IncidentCategory.UnauthorizedModification, AuditEventTypes.UnauthorizedModificationAttempt),
            (IncidentCategory.InterferenceWithOperations, AuditEventTypes.BackupFailed),
            (IncidentCategory.AccessControlChange, AuditEventTypes.PermissionGranted),
        }));
        Assert.That(report.EventsThatDay, Is.EqualTo(5));
        Assert.That(reporter.Read(Day, "txt"), Does.Contain("Attempted unauthorized access (1311.215(a)(1)): 1").And.Contain("Interference with the audit trail (1311.215(a)(5)): none"));
        Assert.That(reporter.Read(Day, "html"), Does.Contain("{receiptId:guid}").And.Contain("<h2>Access-control changes (1311.215(a)(4)): 1</h2>"));
        Assert.That(reporter.Read(Day, "csv")!.Split("\r\n", StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(5));
        Assert.That(JsonDocument.Parse(reporter.Read(Day, "json")!).RootElement.GetProperty("incidents").GetArrayLength(), Is.EqualTo(4));
        Assert.That(reporter.Days(), Is.EqualTo(new[] { Day }));
    }

    [TestCase(2026, 3, 8, 23, TestName = "The_report_of_the_23_hour_day_in_Chicago_holds_its_events_from_00_30_to_23_30_and_not_the_next_day_s")]
    [TestCase(2026, 11, 1, 25, TestName = "The_report_of_the_25_hour_day_in_Chicago_holds_its_events_from_00_30_to_23_30_and_not_the_next_day_s")]
    [Property("Rule", "1311.215(b)")]
    public async Task The_report_s_day_is_the_pharmacy_s_day(int year, int month, int dayOfMonth, int hours)
    {
        var chicago = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");
        var day = new DateOnly(year, month, dayOfMonth);
        var wall = new PharmacyClock(TimeProvider.System, chicago);
        DateTimeOffset Wall(DateOnly on, int hour, int minute) => wall.At(on, new TimeSpan(hour, minute, 0));
        await using var pharmacy = await VerifyingPharmacy.CreateAsync();
        await SeedAsync(pharmacy,
            new(Wall(day.AddDays(-1), 23, 30), AuditEventTypes.LoginFailed, "x", AuditOutcome.Failure, "x", "the day before"),
            new(Wall(day, 0, 30), AuditEventTypes.UnauthorizedAccessAttempt, "tech1", AuditOutcome.Failure, "x", "just after midnight"),
            new(Wall(day, 23, 30), AuditEventTypes.UnauthorizedAccessAttempt, "tech1", AuditOutcome.Failure, "x", "late in the evening"),
            new(Wall(day.AddDays(1), 0, 30), AuditEventTypes.UnauthorizedAccessAttempt, "tech1", AuditOutcome.Failure, "x", "the next day"));
        var reporter = Reporter(pharmacy, new ManualTimeProvider(Wall(day.AddDays(2), 1, 0)), chicago);

        var report = await reporter.GenerateAsync(day, CancellationToken.None);

        Assert.That(wall.StartOfDay(day.AddDays(1)) - wall.StartOfDay(day), Is.EqualTo(TimeSpan.FromHours(hours)));
        Assert.That(report.Incidents.Select(i => i.Details), Is.EqualTo(new[] { "just after midnight", "late in the evening" }));
        Assert.That(reporter.Read(day, "txt"), Does.Contain($"for {day:yyyy-MM-dd} (America/Chicago)").And.Contain("23:30:00 -0"));
    }

    [Test]
    [Property("Rule", "1311.215(b)")]
    public async Task A_tampered_audit_row_and_a_truncated_trail_show_as_audit_trail_interference()
    {
        await using var pharmacy = await VerifyingPharmacy.CreateAsync();
        await SeedAsync(pharmacy,
            new AuditEvent(At(Day, 8), AuditEventTypes.PermissionGranted, "admin", AuditOutcome.Success, "tech1", "granted"),
            new AuditEvent(At(Day, 9), AuditEventTypes.LoginFailed, "x", AuditOutcome.Failure, "x", "wrong password"));
        var reporter = Reporter(pharmacy, new ManualTimeProvider(At(Day.AddDays(1), 1)));
        var first = await reporter.GenerateAsync(Day, CancellationToken.None);

        // Edit the first event, and cut the trail back to before the head the report signed.
        await TamperAsync(pharmacy, $"""
            DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;
            UPDATE audit_events SET details = 'nothing to see' WHERE sequence = 1;
            DELETE FROM audit_events WHERE sequence >= {first.ChainHeadSequence};
            """);
        var second = await Reporter(pharmacy, new ManualTimeProvider(At(Day.AddDays(2), 1))).GenerateAsync(Day.AddDays(1), CancellationToken.None);

        var interference = second.Incidents.Where(i => i.Category == IncidentCategory.AuditTrailInterference).Select(i => i.Details).ToArray();
        Assert.That(interference, Has.Some.Contains("was altered").And.Some.Contains("is gone: the trail was truncated or rewritten"));
    }

    [Test]
    public async Task A_hostile_login_name_reaches_the_reports_CSV_as_text_and_cannot_forge_a_line_of_its_text()
    {
        await using var pharmacy = await VerifyingPharmacy.CreateAsync();
        const string formula = "=HYPERLINK(\"http://example.invalid\",\"x\")";
        const string forger = "x\n  #999 00:00:00 LoginFailed by admin on admin (Failure): forged\u2028\u202Eevil";
        await SeedAsync(pharmacy,
            new AuditEvent(At(Day, 8), AuditEventTypes.LoginFailed, formula, AuditOutcome.Failure, formula, "wrong password"),
            new AuditEvent(At(Day, 9), AuditEventTypes.LoginFailed, forger, AuditOutcome.Failure, forger, "wrong\r\npassword"));
        var reporter = Reporter(pharmacy, new ManualTimeProvider(At(Day.AddDays(1), 1)));
        await reporter.GenerateAsync(Day, CancellationToken.None);

        var csv = ExportFiles.ReadCsv([.. System.Text.Encoding.UTF8.Preamble, .. System.Text.Encoding.UTF8.GetBytes(reporter.Read(Day, "csv")!)]);
        var text = reporter.Read(Day, "txt")!;

        Assert.That(csv[1][4], Is.EqualTo("'" + formula), "the actor column is guarded, not a formula");
        Assert.That(csv[1][6], Is.EqualTo("'" + formula), "the target column too");
        Assert.That(text.Split('\n').Where(line => line.StartsWith("  #", StringComparison.Ordinal)).ToArray(), Has.Length.EqualTo(2),
            "one line per incident, whatever the login name holds");
        Assert.That(text.IndexOfAny(['\r', '\u2028', '\u202E']), Is.EqualTo(-1), "no carriage return, line separator or bidi override");
        Assert.That(text, Does.Contain("<U+000A>").And.Contain("<U+202E>"));
    }

    [Test]
    [Property("Rule", "1311.215(b)")]
    public async Task Missed_days_are_caught_up_through_yesterday()
    {
        await using var pharmacy = await VerifyingPharmacy.CreateAsync();
        await SeedAsync(pharmacy, new AuditEvent(At(Day, 8), AuditEventTypes.LoginFailed, "x", AuditOutcome.Failure, "x", "wrong password"));
        var clock = new ManualTimeProvider(At(Day.AddDays(3), 9));
        var reporter = Reporter(pharmacy, clock);

        var written = await reporter.CatchUpAsync(CancellationToken.None);
        var again = await reporter.CatchUpAsync(CancellationToken.None);

        Assert.That((written, again), Is.EqualTo((3, 0)));
        Assert.That(reporter.Days(), Is.EqualTo(new[] { Day.AddDays(2), Day.AddDays(1), Day }));
    }

    [Test]
    [Property("Rule", "1311.205(b)(15)")]
    public async Task The_CLI_writes_and_prints_a_days_report_and_lists_it()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var today = DateOnly.FromDateTime(DateTime.Now).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var report = await pharmacy.RunAsync("audit", "report", "--date", today);
        var csv = await pharmacy.RunAsync("audit", "report", "--date", today, "--format", "csv");
        var list = await pharmacy.RunAsync("audit", "reports");

        Assert.That(report.ExitCode, Is.Zero, report.Error);
        Assert.That(report.Output, Does.StartWith($"PharmacyRx audit report for {today}").And.Contain("Access-control changes (1311.215(a)(4)): 1"));
        Assert.That(csv.Output, Does.Contain("AccessControlChange,").And.Contain(",UserCreated,"));
        Assert.That(list.Output, Is.EqualTo(today + "\n"));
    }

    private const string BackupActor = "system:backup";

    [Test]
    public async Task The_report_page_shows_a_hostile_login_name_as_text()
    {
        // A failed sign-in records the name the caller typed: on the page the pharmacist opens it must stay text.
        var report = new AuditReport(Day, At(Day, 23), 1, 1, "00", [new AuditReport.Incident(IncidentCategory.UnauthorizedAccess, 1, At(Day, 9),
            AuditEventTypes.LoginFailed, "<img src=x onerror=alert(1)>", "Failure", "console", "<script>alert(1)</script>")]) { TimeZone = "America/Chicago" };

        var html = await report.ToHtmlAsync();

        Assert.That(html, Does.StartWith("<!DOCTYPE html>").And.Contain("&lt;img src=x onerror=alert(1)&gt;").And.Contain("&lt;script&gt;"));
        Assert.That(html, Does.Not.Contain("<img").And.Not.Contain("<script"));
        Assert.That(html, Does.Contain("2026-11-20 (America/Chicago)"));
    }
}
