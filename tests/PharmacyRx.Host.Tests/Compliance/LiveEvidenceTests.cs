using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Verification;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Compliance;
using PharmacyRx.Host.Tests.Clock;
using PharmacyRx.Storage.Access;
using PharmacyRx.Storage.Verification;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Compliance;

/// <summary>
/// Each live check of the compliance report broken on purpose on a real installation: the paragraph it stands for fails,
/// and the evidence says what was seen.
/// </summary>
public class LiveEvidenceTests
{
    private static ParagraphReport Paragraph(ComplianceReport report, string paragraph) => report.Paragraphs.Single(p => p.Paragraph == paragraph);

    private static Evidence Evidence(ComplianceReport report, string paragraph, string check) =>
        Paragraph(report, paragraph).Evidence.Single(e => e.Check.StartsWith(check, StringComparison.Ordinal));

    [Test]
    public async Task A_fresh_installation_says_in_plain_words_what_pharmacy_IT_still_has_to_do()
    {
        await using var pharmacy = await CompliancePharmacy.CreateAsync();

        var report = await pharmacy.ReportAsync();

        Assert.That(report.Paragraphs.Select(p => p.Paragraph), Is.EqualTo(ComplianceCatalogue.Entries.Select(e => e.Paragraph)));
        Assert.That(report.Paragraphs.Select(p => p.Text), Has.All.Not.Empty);
        var backup = Evidence(report, "1311.205(b)(17)", "a verified backup");
        Assert.That((backup.Status, backup.Detail), Is.EqualTo((ComplianceStatus.Fail, "no backup has been taken yet")));
        Assert.That(backup.Action, Does.Contain("pharmacyrx backup run"));
        var second = Evidence(report, "1311.205(b)(17)", "a second backup folder");
        Assert.That(second.Status, Is.EqualTo(ComplianceStatus.Warn));
        Assert.That(second.Action, Does.StartWith("Pharmacy IT: set Backup:SecondFolder to a folder on another disk"));
        Assert.That(Evidence(report, "1311.210(c)", "trust anchors").Action, Does.Contain("pharmacyrx trust add"));
        Assert.That(Evidence(report, "1311.205(b)(16)", "the key history's pin").Status, Is.EqualTo(ComplianceStatus.Warn));
        Assert.That(Evidence(report, "1311.205(b)(1)", "every user named").Status, Is.EqualTo(ComplianceStatus.Pass));
        Assert.That(report.Paragraphs.Where(p => p.Status == ComplianceStatus.Fail).Select(p => p.Paragraph), Is.EqualTo(new[] { "1311.205(b)(17)", "1311.305" }));
        Assert.That(report.ExitCode, Is.EqualTo(1));
    }

    [Test]
    public async Task A_backup_taken_now_with_a_second_folder_passes_the_daily_backup_and_pins_the_key_history_outside()
    {
        using var second = new TempFolder();
        await using var pharmacy = await CompliancePharmacy.CreateAsync(new() { ["Backup:SecondFolder"] = second.Path });
        await pharmacy.Get<BackupService>().RunAsync("test:it", CancellationToken.None);

        var report = await pharmacy.ReportAsync();

        Assert.That(Paragraph(report, "1311.205(b)(17)").Status, Is.EqualTo(ComplianceStatus.Pass), () => string.Join("\n", Paragraph(report, "1311.205(b)(17)").Evidence));
        Assert.That(Evidence(report, "1311.205(b)(17)", "a verified backup").Detail, Does.Contain("verifies (signed manifest, SHA-256, integrity check)"));
        Assert.That(Evidence(report, "1311.205(b)(16)", "the key history's pin").Status, Is.EqualTo(ComplianceStatus.Pass));
        Assert.That(report.ExitCode, Is.Zero);
    }

    [Test]
    [Property("Rule", "1311.205(b)(17)")]
    public async Task Fails_the_daily_backup_when_the_newest_backup_is_older_than_26_hours_or_a_day_has_none()
    {
        await using var pharmacy = await CompliancePharmacy.CreateAsync();
        // The backup at 06:00 UTC whatever the hour the test runs, so that 27 hours later no whole day has passed without
        // one (run at 21:00, 27 hours later is past the next midnight but one, and a day would be missing too).
        var now = pharmacy.Clock.GetUtcNow();
        var six = new DateTimeOffset(now.UtcDateTime.Date.AddHours(6), TimeSpan.Zero);
        pharmacy.Clock.Advance((six > now ? six : six.AddDays(1)) - now);
        await pharmacy.Get<BackupService>().RunAsync("test:it", CancellationToken.None);
        pharmacy.Clock.Advance(TimeSpan.FromHours(27));

        var later = await pharmacy.ReportAsync();
        pharmacy.Clock.Advance(TimeSpan.FromDays(2));
        var missing = await pharmacy.ReportAsync();

        var stale = Evidence(later, "1311.205(b)(17)", "a verified backup");
        Assert.That(stale.Status, Is.EqualTo(ComplianceStatus.Fail));
        Assert.That(stale.Detail, Does.Match(@"^the newest backup, pharmacyrx-\S+, is 27 hours old$"));
        Assert.That(Evidence(missing, "1311.205(b)(17)", "a verified backup").Detail, Does.Contain("no backup for 2 day(s): "));
        Assert.That(Paragraph(later, "1311.305").Status, Is.EqualTo(ComplianceStatus.Fail));
    }

    [Test]
    [Property("Rule", "1311.205(b)(17)")]
    public async Task Fails_the_daily_backup_when_the_newest_backup_does_not_verify_even_after_it_once_did()
    {
        await using var pharmacy = await CompliancePharmacy.CreateAsync();
        var backup = await pharmacy.Get<BackupService>().RunAsync("test:it", CancellationToken.None);
        var before = await pharmacy.ReportAsync();

        await File.AppendAllTextAsync(Path.Combine(backup, "pharmacyrx.db"), "tampered");
        var report = await pharmacy.ReportAsync();

        Assert.That(Evidence(before, "1311.205(b)(17)", "a verified backup").Status, Is.EqualTo(ComplianceStatus.Pass));
        var evidence = Evidence(report, "1311.205(b)(17)", "a verified backup");
        Assert.That(evidence.Status, Is.EqualTo(ComplianceStatus.Fail));
        Assert.That(evidence.Detail, Does.Contain("does not verify: the database copy does not match the manifest's SHA-256"));
    }

    [Test]
    [Property("Rule", "1311.210(c)")]
    public async Task Fails_the_CRL_paragraphs_when_a_trusted_issuer_has_no_current_CRL_and_passes_them_with_one()
    {
        await using var pharmacy = await CompliancePharmacy.CreateAsync();
        using var pki = new TestPki(DateTimeOffset.UtcNow.AddDays(-10), "Stale");
        await pharmacy.Get<TrustStore>().AddAsync(new TrustedCertificate(
            pki.Root.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant(), TrustPurpose.Anchor, pki.Root.Subject,
            pki.Root.NotAfter.ToUniversalTime(), pki.Root.RawData), "test:it", CancellationToken.None);
        await StoreCrlAsync(pharmacy, pki.Crl(pki.Root, []));

        var stale = await pharmacy.ReportAsync();
        await StoreCrlAsync(pharmacy, pki.Crl(pki.Root, [], nextUpdate: DateTimeOffset.UtcNow.AddDays(7), number: 2));
        var current = await pharmacy.ReportAsync();

        var evidence = Evidence(stale, "1311.210(c)", "every trusted issuer");
        Assert.That(evidence.Status, Is.EqualTo(ComplianceStatus.Fail));
        Assert.That(evidence.Detail, Does.StartWith("the newest CRL from ").And.Contain("Stale").And.Contain("is not current"));
        Assert.That(Paragraph(stale, "1311.205(b)(5)").Status, Is.EqualTo(ComplianceStatus.Fail));
        Assert.That(Evidence(current, "1311.210(c)", "every trusted issuer").Status, Is.EqualTo(ComplianceStatus.Pass));
        Assert.That(Paragraph(current, "1311.205(b)(5)").Status, Is.EqualTo(ComplianceStatus.Pass));
    }

    private static async Task StoreCrlAsync(CompliancePharmacy pharmacy, byte[] der)
    {
        Assert.That(RevocationList.TryParse(der, "test", out var list, out var reason), Is.True, reason);
        Assert.That(await pharmacy.Get<CrlStore>().AddAsync(list!, "test:it", CancellationToken.None), Is.True);
    }

    [Test]
    [Property("Rule", "1311.205(b)(4)")]
    public async Task Fails_the_clock_paragraphs_when_the_clock_is_more_than_five_minutes_off_NIST_time()
    {
        using var server = new SntpServer(TimeSpan.FromMinutes(6));
        await using var pharmacy = await CompliancePharmacy.CreateAsync(new()
        {
            ["Clock:Enabled"] = "true", ["Clock:Server"] = "127.0.0.1", ["Clock:Port"] = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Clock:Timeout"] = "00:00:01",
        });

        var report = await pharmacy.ReportAsync(checkClock: true);

        var clock = Evidence(report, "1311.205(b)(4)", "clock within 5 minutes");
        Assert.That(clock.Status, Is.EqualTo(ComplianceStatus.Fail));
        Assert.That(clock.Detail, Does.Match(@"^the clock was 36\d(\.\d)? s off 127\.0\.0\.1 at \S+ \S+: more than 5 minutes$"));
        Assert.That(Paragraph(report, "1311.215(a)").Status, Is.EqualTo(ComplianceStatus.Fail));
    }

    [Test]
    [Property("Rule", "1311.205(b)(16)")]
    public async Task Fails_the_audit_trail_paragraphs_when_the_chain_is_broken()
    {
        await using var pharmacy = await CompliancePharmacy.CreateAsync();

        await pharmacy.Installed.TamperAsync("DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE sequence = 3");
        var report = await pharmacy.ReportAsync();

        var chain = Evidence(report, "1311.205(b)(16)", "audit trail unbroken");
        Assert.That(chain.Status, Is.EqualTo(ComplianceStatus.Fail));
        Assert.That(chain.Detail, Does.Contain("audit event 3 is missing"));
        Assert.That(chain.Action, Does.Contain("1311.215(c)"));
        Assert.That(new[] { "1311.205(b)(13)", "1311.215(a)" }.Select(p => Paragraph(report, p).Status), Has.All.EqualTo(ComplianceStatus.Fail));
    }

    [Test]
    [Property("Rule", "1311.205(b)(4)")]
    public async Task Fails_the_key_paragraphs_when_the_key_password_is_in_configuration()
    {
        var json = $$"""{ "Signing": { "KeyPassword": "x" }, "Pharmacy": { "Secret": "{{InstalledPharmacy.KeyPassword}}" } }""";
        await using var pharmacy = await CompliancePharmacy.CreateAsync(jsonSettings: json);

        var report = await pharmacy.ReportAsync();

        var key = Evidence(report, "1311.205(b)(4)", "pharmacy key stored encrypted");
        Assert.That(key.Status, Is.EqualTo(ComplianceStatus.Fail));
        Assert.That(key.Detail, Does.Contain("appsettings.json").And.Contain("sets Signing:KeyPassword").And.Contain("holds the key password under Pharmacy:Secret"));
        Assert.That(key.Detail, Does.Not.Contain(InstalledPharmacy.KeyPassword), "the password itself is never shown");
        Assert.That(new[] { "1311.205(b)(3)", "1311.210(a)" }.Select(p => Paragraph(report, p).Status), Has.All.EqualTo(ComplianceStatus.Fail));
    }

    [Test]
    [Property("Rule", "1311.205(b)(4)")]
    public async Task Fails_the_key_paragraphs_when_the_key_is_stored_unencrypted()
    {
        await using var pharmacy = await CompliancePharmacy.CreateAsync();
        await File.WriteAllTextAsync(pharmacy.Data.KeyPath, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        var report = await pharmacy.ReportAsync();

        var key = Evidence(report, "1311.205(b)(4)", "pharmacy key stored encrypted");
        Assert.That((key.Status, key.Detail), Is.EqualTo((ComplianceStatus.Fail, $"the key file {pharmacy.Data.KeyPath} is stored unencrypted (BEGIN PRIVATE KEY)")));
    }

    [Test]
    [Property("Rule", "1311.205(b)(16)")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Fails_when_the_database_can_be_read_by_others()
    {
        await using var pharmacy = await CompliancePharmacy.CreateAsync();
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("file modes are a Unix matter; the folder's ACL governs on Windows");
        }

        File.SetUnixFileMode(pharmacy.Data.DatabasePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var report = await pharmacy.ReportAsync();

        var modes = Evidence(report, "1311.205(b)(1)", "files in the data folder");
        Assert.That(modes.Status, Is.EqualTo(ComplianceStatus.Fail));
        Assert.That(modes.Detail, Is.EqualTo($"{pharmacy.Data.DatabasePath} can be read by group or others (mode 0644)"));
        Assert.That(Paragraph(report, "1311.205(b)(16)").Status, Is.EqualTo(ComplianceStatus.Fail));
    }

    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    [Property("Rule", "1311.205(b)(2)")]
    public async Task Fails_the_access_paragraphs_when_one_account_holds_every_permission()
    {
        await using var pharmacy = await CompliancePharmacy.CreateAsync();
        var access = pharmacy.Get<AccessStore>();
        foreach (var permission in Enum.GetValues<Permission>())
        {
            await access.GrantAsync("admin", permission, "test:it", CancellationToken.None);
        }

        var report = await pharmacy.ReportAsync();

        var users = Evidence(report, "1311.205(b)(2)", "every user named");
        Assert.That(users.Status, Is.EqualTo(ComplianceStatus.Fail));
        Assert.That(users.Detail, Is.EqualTo("user admin holds every permission: one account can both work prescriptions and change who may"));
    }

    [Test]
    [Property("Rule", "1311.205(b)(18)")]
    [Property("Rule", "1311.305")]
    public async Task Fails_retention_when_a_record_younger_than_two_years_is_gone()
    {
        await using var pharmacy = await CompliancePharmacy.CreateAsync();
        var ingest = await pharmacy.Installed.IngestAsync(new SyntheticNewRx { MessageId = "R-1" });
        Assert.That(ingest.ExitCode, Is.Zero, ingest.Error);
        await Task.Delay(50);
        ingest = await pharmacy.Installed.IngestAsync(new SyntheticNewRx { MessageId = "R-2" });
        Assert.That(ingest.ExitCode, Is.Zero, ingest.Error);

        var kept = await pharmacy.ReportAsync();
        await pharmacy.Installed.TamperAsync("PRAGMA foreign_keys = OFF; DROP TRIGGER prescription_archive_no_delete; DELETE FROM prescription_archive WHERE message_id = 'R-1'");
        var gone = await pharmacy.ReportAsync();

        Assert.That(Evidence(kept, "1311.205(b)(18)", "records kept").Status, Is.EqualTo(ComplianceStatus.Pass));
        var retention = Evidence(gone, "1311.205(b)(18)", "records kept");
        Assert.That(retention.Status, Is.EqualTo(ComplianceStatus.Fail));
        Assert.That(retention.Detail, Does.EndWith("records younger than two years are missing"));
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task Names_a_period_when_ingest_was_refused_and_fails_while_it_still_is()
    {
        await using var pharmacy = await CompliancePharmacy.CreateAsync();
        var audit = pharmacy.Get<PharmacyRx.Storage.Audit.AuditLog>();
        var at = pharmacy.Clock.GetUtcNow();
        var before = Evidence(await pharmacy.ReportAsync(), "1311.215(a)", "ingest not refused");

        await audit.AppendAsync([new AuditEvent(at.AddMinutes(-30), AuditEventTypes.IngestRefused, "system:ingest", AuditOutcome.Failure, "ingest",
            "refusing messages since 2026-12-06T19:00:00Z: disk full")], CancellationToken.None);
        var refusing = Evidence(await pharmacy.ReportAsync(), "1311.215(a)", "ingest not refused");
        await audit.AppendAsync([new AuditEvent(at.AddMinutes(-10), AuditEventTypes.IngestResumed, "system:ingest", AuditOutcome.Success, "ingest",
            "ingest was refused from 2026-12-06T19:00:00Z to 2026-12-06T19:20:00Z (12 refusals, every message handed back to its sender); last fault: disk full")],
            CancellationToken.None);
        var resumed = Evidence(await pharmacy.ReportAsync(), "1311.215(a)", "ingest not refused");

        Assert.That(before.Status, Is.EqualTo(ComplianceStatus.Pass));
        Assert.That((refusing.Status, refusing.Detail), Is.EqualTo((ComplianceStatus.Fail, "ingest is refused: refusing messages since 2026-12-06T19:00:00Z: disk full")));
        Assert.That(resumed.Status, Is.EqualTo(ComplianceStatus.Warn));
        Assert.That(resumed.Detail, Does.Contain("1 period(s) in the last 30 days: ingest was refused from 2026-12-06T19:00:00Z to 2026-12-06T19:20:00Z"));
    }
}
