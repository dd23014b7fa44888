using System.Diagnostics;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Receiving;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]

/// <summary>
/// The inbox reads only regular files of the service user, never through a link, never stalls
/// on a FIFO, and no file stops it. The service runs for real; files are dropped as an intruder with inbox access would.
/// </summary>
public class InboxHardeningTests
{
    [Test]
    public async Task A_symlink_to_a_private_file_outside_the_inbox_is_moved_aside_and_not_archived()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var service = await StartAsync(pharmacy);
        var secret = pharmacy.WriteMessage("secret.xml", new SyntheticNewRx { MessageId = "SECRET-1" }.ToBytes());
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var link = Path.Combine(pharmacy.Data.Inbox, "link.xml");
        File.CreateSymbolicLink(link, secret);
        var good = await DropAsync(pharmacy, "after-link.xml", "AFTER-LINK");

        await WaitForAsync(service, "AFTER-LINK");
        await AssertAuditedAsync(service, "link.xml", "symbolic link");

        Assert.That(await service.Services.GetRequiredService<ArchiveQueries>().FindAsync("SECRET-1", CancellationToken.None), Is.Null);
        Assert.That(File.Exists(good), Is.False);
        var refused = Path.Combine(pharmacy.Data.Inbox, "refused", "link.xml");
        Assert.That(new FileInfo(refused).LinkTarget, Is.EqualTo(secret), "the link itself moved aside, not what it points to");
        Assert.That(File.Exists(secret), Is.True);
    }

    [Test]
    public async Task A_file_dropped_readable_by_others_is_kept_owner_only_once_archived()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var service = await StartAsync(pharmacy);
        var temporary = pharmacy.WriteMessage("lax.xml.part", new SyntheticNewRx { MessageId = "LAX-MODE-1" }.ToBytes());
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(temporary, Path.Combine(pharmacy.Data.Inbox, "lax.xml"));
        var archived = Path.Combine(pharmacy.Data.Inbox, "archived");

        await WaitUntilAsync(() => Directory.Exists(archived) && Directory.EnumerateFiles(archived, "*_lax.xml").Any());

        var kept = Directory.EnumerateFiles(archived, "*_lax.xml").Single();
        Assert.That(File.GetUnixFileMode(kept), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "health data kept in the data folder is 0600");
    }

    [Test]
    public async Task A_FIFO_does_not_stall_the_inbox()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var service = await StartAsync(pharmacy);
        var fifo = Path.Combine(pharmacy.Data.Inbox, "a-fifo.xml");
        Run("mkfifo", fifo);

        var good = await DropAsync(pharmacy, "b-good.xml", "AFTER-FIFO");

        await WaitForAsync(service, "AFTER-FIFO");
        await AssertAuditedAsync(service, "a-fifo.xml", "not a regular file");
        Assert.That(File.Exists(good), Is.False);
        Assert.That(File.Exists(fifo), Is.False);
    }

    [Test]
    public async Task A_file_of_another_owner_is_moved_aside_and_not_archived()
    {
        if (Environment.UserName != "root")
        {
            Assert.Ignore("giving a file to another user needs root");
        }
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var service = await StartAsync(pharmacy);
        var foreign = Path.Combine(pharmacy.Data.Inbox, "a-foreign.xml");
        var temporary = Path.Combine(pharmacy.Folder, "foreign.part");
        await File.WriteAllBytesAsync(temporary, new SyntheticNewRx { MessageId = "FOREIGN-1" }.ToBytes());
        Run("chown", "65534", temporary);
        File.Move(temporary, foreign);

        await DropAsync(pharmacy, "b-own.xml", "OWN-1");

        await WaitForAsync(service, "OWN-1");
        Assert.That(await service.Services.GetRequiredService<ArchiveQueries>().FindAsync("FOREIGN-1", CancellationToken.None), Is.Null);
        await AssertAuditedAsync(service, "a-foreign.xml", "owned by user 65534");
    }

    [Test]
    public async Task A_file_whose_processing_throws_is_moved_aside_and_the_watcher_goes_on()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var service = await StartAsync(pharmacy);
        // archived/ cannot be made while a file holds its name: moving the first file after archiving it throws.
        var blocker = Path.Combine(pharmacy.Data.Inbox, "archived");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var first = await DropAsync(pharmacy, "first.xml", "THROWS-1");
        await WaitForAsync(service, "THROWS-1");
        await WaitUntilAsync(() => !File.Exists(first));

        File.Delete(blocker);
        var second = await DropAsync(pharmacy, "second.xml", "AFTER-THROW");

        await WaitForAsync(service, "AFTER-THROW");
        await WaitUntilAsync(() => !File.Exists(second));
        Assert.That(File.Exists(Path.Combine(pharmacy.Data.Inbox, "refused", "first.xml")), Is.True);
        Assert.That(Directory.EnumerateFiles(Path.Combine(pharmacy.Data.Inbox, "archived"), "*_second.xml").Count(), Is.EqualTo(1));
        await AssertAuditedAsync(service, "first.xml", "processing failed");
    }

    [Test]
    public async Task A_file_that_cannot_be_archived_at_all_is_moved_aside_audited_and_the_watcher_goes_on()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        // The database refuses these bytes whatever the record says: the pipeline's own fallback cannot keep them either.
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(new SyntheticNewRx { MessageId = "UNARCHIVABLE-1" }.ToBytes()));
        await pharmacy.TamperAsync($"""
            CREATE TRIGGER refuse_these_bytes BEFORE INSERT ON prescription_archive
            WHEN NEW.as_received_sha256 = '{sha256}' BEGIN SELECT RAISE(ABORT, 'synthetic fault'); END;
            """);
        await using var service = await StartAsync(pharmacy);

        var first = await DropAsync(pharmacy, "a-unarchivable.xml", "UNARCHIVABLE-1");
        await AssertAuditedAsync(service, "a-unarchivable.xml", "processing failed: SqliteException");
        var second = await DropAsync(pharmacy, "b-after.xml", "AFTER-UNARCHIVABLE");
        await WaitForAsync(service, "AFTER-UNARCHIVABLE");
        await WaitUntilAsync(() => !File.Exists(second));

        Assert.That(File.Exists(first), Is.False);
        Assert.That(File.Exists(Path.Combine(pharmacy.Data.Inbox, "refused", "a-unarchivable.xml")), Is.True);
        Assert.That(await service.Services.GetRequiredService<ArchiveQueries>().FindAsync("UNARCHIVABLE-1", CancellationToken.None), Is.Null);
    }

    private static Task<RunningService> StartAsync(InstalledPharmacy pharmacy) =>
        RunningService.StartAsync(pharmacy, builder =>
        {
            builder.Configuration["Inbox:PollInterval"] = "00:00:00.100";
            builder.Configuration["Inbox:SettleTime"] = "00:00:00";
        });

    private static async Task<string> DropAsync(InstalledPharmacy pharmacy, string name, string messageId)
    {
        var file = Path.Combine(pharmacy.Data.Inbox, name);
        var temporary = Path.Combine(pharmacy.Folder, name + ".part");
        await File.WriteAllBytesAsync(temporary, new SyntheticNewRx { MessageId = messageId }.ToBytes());
        File.Move(temporary, file);
        return file;
    }

    private static async Task WaitForAsync(RunningService service, string messageId)
    {
        var queries = service.Services.GetRequiredService<ArchiveQueries>();
        await WaitUntilAsync(async () => await queries.FindAsync(messageId, CancellationToken.None) is not null);
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!await condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "not within a few seconds");
            await Task.Delay(50);
        }
    }

    // The watcher takes the inbox's files in no set order: the refusal may be audited after a later file is archived.
    private static async Task AssertAuditedAsync(RunningService service, string name, string reason)
    {
        var audit = service.Services.GetRequiredService<AuditLog>();
        string[] details = [];
        await WaitUntilAsync(async () =>
        {
            details = (await audit.ReadAllAsync(CancellationToken.None).ToListAsync()).Select(e => e.Event)
                .Where(e => e.Type == AuditEventTypes.InboxFileRefused && e.Target == $"inbox/{name}").Select(e => e.Details).ToArray();
            return details.Length > 0;
        });
        Assert.That(details, Has.Some.Contains(reason));
    }

    private static void Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, process.StandardError.ReadToEnd());
    }
}
