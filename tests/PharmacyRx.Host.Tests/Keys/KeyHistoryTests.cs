using System.Security.Cryptography;
using System.Text.Json.Nodes;
using PharmacyRx.Testing;
using PharmacyRx.Host.Keys;

namespace PharmacyRx.Host.Tests.Keys;

/// <summary>
/// Only the pharmacy's own keys count: a seal is checked with a certificate of the key history, whose first certificate
/// is the pin printed by <c>init</c>; a certificate merely copied into <c>keys/</c> counts for nothing.
/// </summary>
public class KeyHistoryTests
{
    private static async Task<InstalledPharmacy> PharmacyWithRecordsAsync()
    {
        var pharmacy = await InstalledPharmacy.CreateAsync();
        var run = await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "K-1" }, new SyntheticNewRx { MessageId = "K-2", Quantity = "30" });
        Assert.That(run.ExitCode, Is.Zero, run.Error);
        return pharmacy;
    }

    private static string HistoryPath(InstalledPharmacy pharmacy) => Path.Combine(pharmacy.Data.KeysFolder, "history.json");

    private static string Pin(InstalledPharmacy pharmacy) => pharmacy.InitOutput.GetProperty("pin").GetString()!;

    [Test]
    public async Task Verify_reports_a_record_resealed_with_a_certificate_copied_into_keys()
    {
        using var pharmacy = await PharmacyWithRecordsAsync();
        using var intruder = new Intruder();
        await File.WriteAllTextAsync(Path.Combine(pharmacy.Data.KeysFolder, "pharmacy-2.crt"), intruder.CertificatePem);
        var receiptId = await intruder.ResealBackdatedAsync(pharmacy.Data.DatabasePath, "K-2");

        var verify = await pharmacy.RunAsync("verify");

        Assert.That(verify.ExitCode, Is.EqualTo(1), verify.Output);
        Assert.That(verify.Output, Does.Contain($"FAIL receipt {receiptId}: ").And.Contain($"{intruder.Thumbprint} is not in the pharmacy's key history"));
    }

    [Test]
    public async Task Verify_with_the_pin_reports_a_record_resealed_with_a_certificate_copied_into_keys()
    {
        using var pharmacy = await PharmacyWithRecordsAsync();
        using var intruder = new Intruder();
        await File.WriteAllTextAsync(Path.Combine(pharmacy.Data.KeysFolder, "pharmacy-2.crt"), intruder.CertificatePem);
        var receiptId = await intruder.ResealBackdatedAsync(pharmacy.Data.DatabasePath, "K-2");

        var verify = await pharmacy.RunAsync("verify", "--pin", Pin(pharmacy));

        Assert.That(verify.ExitCode, Is.EqualTo(1), verify.Output + verify.Error);
        Assert.That(verify.Output, Does.Contain($"FAIL receipt {receiptId}: ").And.Contain($"{intruder.Thumbprint} is not in the pharmacy's key history"));
        // The seal and the row's coverage in the audit chain both name it; nothing else fails.
        Assert.That(verify.Output.Split('\n').Where(line => line.StartsWith("FAIL ", StringComparison.Ordinal)), Has.All.Contain(receiptId), "only the resealed record");
    }

    [Test]
    public async Task Init_prints_the_pin_and_verify_with_it_holds_while_verify_without_it_warns_that_it_was_not_pinned()
    {
        using var pharmacy = await PharmacyWithRecordsAsync();
        using var certificate = PharmacyKeyFiles.LoadCertificate(pharmacy.Data.CertificatePath);

        var pinned = await pharmacy.RunAsync("verify", "--pin", Pin(pharmacy));
        var unpinned = await pharmacy.RunAsync("verify");

        Assert.That(Pin(pharmacy), Is.EqualTo(certificate.GetCertHashString(HashAlgorithmName.SHA256)));
        Assert.That(pinned.ExitCode, Is.Zero, pinned.Output + pinned.Error);
        Assert.That(pinned.Output, Does.StartWith("OK: 2 records").And.Not.Contain("WARN"));
        Assert.That(unpinned.ExitCode, Is.Zero, unpinned.Output);
        Assert.That(unpinned.Output, Does.StartWith("OK: 2 records").And.Contain("WARN the key history was not pinned"));
    }

    [Test]
    public async Task Verify_refuses_a_key_history_whose_first_certificate_is_not_the_pin()
    {
        using var pharmacy = await PharmacyWithRecordsAsync();
        using var intruder = new Intruder();

        var verify = await pharmacy.RunAsync("verify", "--pin", intruder.Thumbprint);

        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Output, Does.Contain($"FAIL key history: its first certificate is {Pin(pharmacy)}, not the pinned {intruder.Thumbprint}"));
    }

    [Test]
    public async Task A_rotation_entry_not_signed_by_the_previous_key_is_a_finding_and_its_seals_count_for_nothing()
    {
        using var pharmacy = await PharmacyWithRecordsAsync();
        using var intruder = new Intruder();
        var history = File.Exists(HistoryPath(pharmacy))
            ? JsonNode.Parse(await File.ReadAllTextAsync(HistoryPath(pharmacy)))!.AsObject()
            : new JsonObject { ["entries"] = new JsonArray() };
        history["entries"]!.AsArray().Add(new JsonObject
        {
            ["certificate"] = Convert.ToBase64String(intruder.Certificate.RawData),
            ["thumbprint"] = intruder.Thumbprint,
            ["validFrom"] = DateTimeOffset.UtcNow.ToString("O"),
            // Signed, but by the intruder's own key: the previous (pharmacy) key never vouched for it.
            ["signatureByPreviousKey"] = Convert.ToBase64String(intruder.Sign(intruder.Certificate.RawData)),
        });
        await File.WriteAllTextAsync(HistoryPath(pharmacy), history.ToJsonString());
        var receiptId = await intruder.ResealBackdatedAsync(pharmacy.Data.DatabasePath, "K-2");

        var verify = await pharmacy.RunAsync("verify", "--pin", Pin(pharmacy));

        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Output, Does.Contain($"FAIL key history: entry 2 ({intruder.Thumbprint}) is not signed by the previous key"));
        Assert.That(verify.Output, Does.Contain($"FAIL receipt {receiptId}: "));
    }

    [Test]
    public async Task With_a_second_folder_init_copies_the_history_there_and_verify_is_pinned_by_that_copy()
    {
        using var second = new TempFolder();
        Environment.SetEnvironmentVariable("Backup__SecondFolder", second.Path);
        try
        {
            using var pharmacy = await PharmacyWithRecordsAsync();
            var copy = Path.Combine(second.Path, "pharmacyrx-key-history.json");

            var verify = await pharmacy.RunAsync("verify");
            using var intruder = new Intruder();
            // The intruder replaces the data folder's history with one of their own, rooted in their own certificate.
            var forged = new JsonObject
            {
                ["entries"] = new JsonArray(new JsonObject
                {
                    ["certificate"] = Convert.ToBase64String(intruder.Certificate.RawData),
                    ["thumbprint"] = intruder.Thumbprint,
                    ["validFrom"] = DateTimeOffset.UtcNow.ToString("O"),
                }),
            };
            await File.WriteAllTextAsync(HistoryPath(pharmacy), forged.ToJsonString());
            var receiptId = await intruder.ResealBackdatedAsync(pharmacy.Data.DatabasePath, "K-2");
            var tampered = await pharmacy.RunAsync("verify");

            Assert.That(JsonNode.Parse(await File.ReadAllTextAsync(copy))!["entries"]![0]!["thumbprint"]!.GetValue<string>(), Is.EqualTo(Pin(pharmacy)));
            Assert.That(verify.ExitCode, Is.Zero, verify.Output);
            Assert.That(verify.Output, Does.Not.Contain("WARN the key history was not pinned"));
            Assert.That(tampered.ExitCode, Is.EqualTo(1));
            Assert.That(tampered.Output, Does.Contain($"FAIL key history: its first certificate is {intruder.Thumbprint}, not the pinned {Pin(pharmacy)}"));
            Assert.That(tampered.Output, Does.Contain($"FAIL receipt {receiptId}: "));
        }
        finally
        {
            Environment.SetEnvironmentVariable("Backup__SecondFolder", null);
        }
    }

    [Test]
    public async Task Keys_rotate_signs_the_new_certificate_with_the_old_key_and_verify_with_the_pin_holds_for_records_of_both()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "R-1" });
        var before = await File.ReadAllTextAsync(pharmacy.Data.CertificatePath);

        var rotate = await pharmacy.RunAsync("keys", "rotate");
        await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "R-2", PrescriberOrderNumber = "O-2" });
        var verify = await pharmacy.RunAsync("verify", "--pin", Pin(pharmacy));
        var backup = (await pharmacy.RunAsync("backup", "run")).JsonLines[0].GetProperty("backup").GetString()!;
        var checkBackup = await pharmacy.RunAsync("backup", "verify", backup, "--pin", Pin(pharmacy));

        Assert.That(rotate.ExitCode, Is.Zero, rotate.Error);
        var rotated = rotate.JsonLines.Single();
        Assert.That(rotated.GetProperty("pin").GetString(), Is.EqualTo(Pin(pharmacy)));
        Assert.That(rotated.GetProperty("previous").GetString(), Is.EqualTo(Pin(pharmacy)));
        Assert.That(await File.ReadAllTextAsync(pharmacy.Data.CertificatePath), Is.Not.EqualTo(before));
        Assert.That(JsonNode.Parse(await File.ReadAllTextAsync(HistoryPath(pharmacy)))!["entries"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
        Assert.That(verify.Output, Does.StartWith("OK: 2 records"));
        Assert.That(checkBackup.ExitCode, Is.Zero, checkBackup.Output);
    }

    [Test]
    public async Task An_installation_from_before_key_histories_gets_one_rooted_in_its_certificate()
    {
        using var pharmacy = await PharmacyWithRecordsAsync();
        File.Delete(HistoryPath(pharmacy));

        var verify = await pharmacy.RunAsync("verify", "--pin", Pin(pharmacy));

        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
        Assert.That(JsonNode.Parse(await File.ReadAllTextAsync(HistoryPath(pharmacy)))!["entries"]![0]!["thumbprint"]!.GetValue<string>(), Is.EqualTo(Pin(pharmacy)));
    }
}
