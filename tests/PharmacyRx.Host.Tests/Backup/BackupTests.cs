using Microsoft.Extensions.Logging.Abstractions;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Tests.Verification;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Backup;

/// <summary>The daily backup (1311.205(b)(17)): taken, checked, restored, verified; a missed day caught up.</summary>
public class BackupTests
{
    [Test]
    [Property("Rule", "1311.205(b)(17)")]
    public async Task Backup_then_restore_into_a_new_folder_then_verify_holds_every_record()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "B-1" }, new SyntheticNewRx { MessageId = "B-2", PrescriberOrderNumber = "O-2" });

        var run = await pharmacy.RunAsync("backup", "run");
        var backup = run.JsonLines[0].GetProperty("backup").GetString()!;
        var list = await pharmacy.RunAsync("backup", "list");
        var check = await pharmacy.RunAsync("backup", "verify", backup);
        var restored = Path.Combine(pharmacy.Folder, "restored");
        var restore = await RunElsewhereAsync(pharmacy, "backup", "restore", backup, "--data", restored,
            "--pin", pharmacy.InitOutput.GetProperty("pin").GetString()!);
        var verify = await RunElsewhereAsync(pharmacy, "verify", "--data", restored);

        Assert.That(run.ExitCode, Is.Zero, run.Error);
        Assert.That(list.JsonLines.Single().GetProperty("backup").GetString(), Is.EqualTo(backup));
        Assert.That(check.Output, Does.StartWith("OK: "));
        Assert.That(restore.ExitCode, Is.Zero, restore.Error);
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
        Assert.That(verify.Output, Does.StartWith("OK: 2 records"));
        Assert.That(File.ReadAllText(Path.Combine(backup, "manifest.json")), Does.Contain("\"integrityCheck\": \"ok\""));
    }

    [Test]
    [Property("Rule", "1311.205(b)(17)")]
    public async Task A_backup_changed_after_it_was_taken_fails_its_check_and_is_not_restored()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "B-1" });
        var backup = (await pharmacy.RunAsync("backup", "run")).JsonLines[0].GetProperty("backup").GetString()!;
        await using (var stream = File.OpenWrite(Path.Combine(backup, "pharmacyrx.db")))
        {
            stream.Seek(-10, SeekOrigin.End);
            stream.WriteByte(0x5a);
        }
        File.AppendAllText(Path.Combine(backup, "manifest.json"), " ");

        var check = await pharmacy.RunAsync("backup", "verify", backup);
        var restore = await RunElsewhereAsync(pharmacy, "backup", "restore", backup, "--data", Path.Combine(pharmacy.Folder, "restored"));

        Assert.That(check.ExitCode, Is.EqualTo(1));
        Assert.That(check.Output, Does.Contain("FAIL the manifest's signature does not verify").And.Contain("FAIL the database copy does not match the manifest's SHA-256"));
        Assert.That(restore.ExitCode, Is.EqualTo(1));
        Assert.That(Directory.Exists(Path.Combine(pharmacy.Folder, "restored", "keys")), Is.False);
    }

    [Test]
    [Property("Rule", "1311.205(b)(17)")]
    public async Task A_missed_day_is_caught_up_at_start_up_and_a_day_already_backed_up_is_not()
    {
        await using var pharmacy = await VerifyingPharmacy.CreateAsync();
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        var options = new BackupOptions { LocalTime = TimeSpan.FromHours(2) };
        var service = new BackupService(pharmacy.Get<ISqlDialect>(), pharmacy.Get<AuditLog>(), pharmacy.Get<PharmacySigningKey>(), pharmacy.Data, options,
            new PharmacyClock(clock, TimeZoneInfo.Utc), new SecondFolderCopies(pharmacy.Data, options, NullLogger<SecondFolderCopies>.Instance),
            NullLogger<BackupService>.Instance);
        var scheduler = new BackupScheduler(service, options, new PharmacyClock(clock, TimeZoneInfo.Utc), clock, NullLogger<BackupScheduler>.Instance);

        var first = await scheduler.CatchUpAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromHours(6));
        var sameDay = await scheduler.CatchUpAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromDays(2));
        var missed = await scheduler.CatchUpAsync(CancellationToken.None);

        Assert.That((first, sameDay, missed), Is.EqualTo((true, false, true)));
        Assert.That(service.List().Select(b => b.TakenAt), Is.EqualTo(new[] { clock.GetUtcNow(), clock.GetUtcNow().AddDays(-2).AddHours(-6) }));
        Assert.That(await pharmacy.AuditAsync(AuditEventTypes.BackupCompleted), Has.Count.EqualTo(2));
    }

    /// <summary>Runs the command line against another data folder than the pharmacy's own.</summary>
    internal static async Task<InstalledPharmacy.Run> RunElsewhereAsync(InstalledPharmacy pharmacy, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await PharmacyRx.Host.Cli.PharmacyRxCommandLine.RunAsync(args, pharmacy.CliEnvironment(output, error));
        return new InstalledPharmacy.Run(exit, output.ToString(), error.ToString());
    }

    [Test]
    public void The_last_scheduled_moment_is_today_once_past_the_time_and_yesterday_before_it()
    {
        var utc = TimeZoneInfo.Utc;

        Assert.That(BackupScheduler.LastScheduled(new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(2), utc),
            Is.EqualTo(new DateTimeOffset(2026, 11, 21, 2, 0, 0, TimeSpan.Zero)));
        Assert.That(BackupScheduler.LastScheduled(new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(2), utc),
            Is.EqualTo(new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero)));
    }

    [Test]
    [Property("Rule", "1311.205(b)(18)")]
    [Property("Rule", "1311.305")]
    public async Task Old_daily_backups_are_pruned_and_the_first_of_each_month_is_kept()
    {
        await using var pharmacy = await VerifyingPharmacy.CreateAsync();
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 9, 1, 3, 0, 0, TimeSpan.Zero));
        var options = new BackupOptions { KeepDays = 3 };
        var service = new BackupService(pharmacy.Get<ISqlDialect>(), pharmacy.Get<AuditLog>(), pharmacy.Get<PharmacySigningKey>(), pharmacy.Data, options,
            new PharmacyClock(clock, TimeZoneInfo.Utc), new SecondFolderCopies(pharmacy.Data, options, NullLogger<SecondFolderCopies>.Instance),
            NullLogger<BackupService>.Instance);

        for (var day = 0; day < 10; day++)
        {
            await service.RunAsync("test", CancellationToken.None);
            clock.Advance(TimeSpan.FromDays(1));
        }

        Assert.That(service.List().Select(b => b.TakenAt.Day), Is.EqualTo(new[] { 10, 9, 8, 7, 1 }), "the last 3 days plus today's, and 1 September");
    }
}
