using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using PharmacyRx.Host.Cli;
using PharmacyRx.Host.Tests.Keys;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Backup;

/// <summary>
/// A backup does not vouch for itself: its manifest is checked against the live key history or the pin, never against
/// keys it carries, and a file its manifest does not list refuses the restore.
/// </summary>
public class BackupTrustTests
{
    private static async Task<(InstalledPharmacy Pharmacy, string Backup)> BackedUpAsync()
    {
        var pharmacy = await InstalledPharmacy.CreateAsync();
        await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "T-1" }, new SyntheticNewRx { MessageId = "T-2", PrescriberOrderNumber = "O-2" });
        var run = await pharmacy.RunAsync("backup", "run");
        Assert.That(run.ExitCode, Is.Zero, run.Error);
        return (pharmacy, run.JsonLines[0].GetProperty("backup").GetString()!);
    }

    private static string Pin(InstalledPharmacy pharmacy) => pharmacy.InitOutput.GetProperty("pin").GetString()!;

    [Test]
    public async Task A_backup_edited_and_resigned_with_a_foreign_key_it_carries_fails_its_check_and_is_not_restored()
    {
        var (pharmacy, backup) = await BackedUpAsync();
        using var _ = pharmacy;
        using var intruder = new Intruder();
        var database = Path.Combine(backup, "pharmacyrx.db");
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TRIGGER prescription_archive_no_update; UPDATE prescription_archive SET patient_name = 'Other, Person' WHERE message_id = 'T-2'";
            await command.ExecuteNonQueryAsync();
        }
        await File.WriteAllTextAsync(Path.Combine(backup, "keys", "pharmacy-2.crt"), intruder.CertificatePem);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(backup, "manifest.json")))!.AsObject();
        manifest["databaseSha256"] = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(database)));
        manifest["databaseBytes"] = new FileInfo(database).Length;
        manifest["keyFiles"]!["keys/pharmacy-2.crt"] = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(backup, "keys", "pharmacy-2.crt"))));
        manifest["signerThumbprint"] = intruder.Thumbprint;
        var manifestBytes = System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString());
        await File.WriteAllBytesAsync(Path.Combine(backup, "manifest.json"), manifestBytes);
        await File.WriteAllBytesAsync(Path.Combine(backup, "manifest.sig"), intruder.Sign(manifestBytes));
        var restored = Path.Combine(pharmacy.Folder, "restored");

        var check = await pharmacy.RunAsync("backup", "verify", backup);
        var pinnedCheck = await pharmacy.RunAsync("backup", "verify", backup, "--pin", Pin(pharmacy));
        var restore = await RunElsewhereAsync(pharmacy, "backup", "restore", backup, "--data", restored, "--pin", Pin(pharmacy));

        Assert.That(check.ExitCode, Is.EqualTo(1), check.Output);
        Assert.That(check.Output, Does.Contain($"FAIL the manifest is signed by {intruder.Thumbprint}, which is not in the pharmacy's key history"));
        Assert.That(pinnedCheck.ExitCode, Is.EqualTo(1), pinnedCheck.Output);
        Assert.That(restore.ExitCode, Is.EqualTo(1), restore.Output);
        Assert.That(restore.Error, Does.Contain("not in the pharmacy's key history"));
        Assert.That(File.Exists(Path.Combine(restored, "pharmacyrx.db")), Is.False);
    }

    [Test]
    public async Task An_unlisted_file_in_a_backups_keys_refuses_the_restore_naming_it()
    {
        var (pharmacy, backup) = await BackedUpAsync();
        using var _ = pharmacy;
        await File.WriteAllTextAsync(Path.Combine(backup, "keys", "extra.crt"), "-----BEGIN CERTIFICATE-----\n");
        var restored = Path.Combine(pharmacy.Folder, "restored");

        var restore = await RunElsewhereAsync(pharmacy, "backup", "restore", backup, "--data", restored, "--pin", Pin(pharmacy));

        Assert.That(restore.ExitCode, Is.EqualTo(1));
        Assert.That(restore.Error, Does.Contain("keys/extra.crt is not listed in the manifest"));
        Assert.That(Directory.Exists(Path.Combine(restored, "keys")), Is.False);
    }

    [Test]
    [Property("Rule", "1311.305")]
    public async Task With_no_live_data_folder_a_backup_is_restored_with_the_pin_alone_and_not_without_it()
    {
        var (pharmacy, backup) = await BackedUpAsync();
        using var _ = pharmacy;
        var restored = Path.Combine(pharmacy.Folder, "restored");

        var unpinned = await RunElsewhereAsync(pharmacy, "backup", "restore", backup, "--data", restored);
        var pinned = await RunElsewhereAsync(pharmacy, "backup", "restore", backup, "--data", restored, "--pin", Pin(pharmacy));
        var verify = await RunElsewhereAsync(pharmacy, "verify", "--data", restored, "--pin", Pin(pharmacy));

        Assert.That(unpinned.ExitCode, Is.EqualTo(1));
        Assert.That(unpinned.Error, Does.Contain("--pin"));
        Assert.That(pinned.ExitCode, Is.Zero, pinned.Error);
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
        Assert.That(verify.Output, Does.StartWith("OK: 2 records"));
    }

    private static async Task<InstalledPharmacy.Run> RunElsewhereAsync(InstalledPharmacy pharmacy, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await PharmacyRxCommandLine.RunAsync(args, pharmacy.CliEnvironment(output, error));
        return new InstalledPharmacy.Run(exit, output.ToString(), error.ToString());
    }
}
