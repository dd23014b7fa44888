using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Cli;

public class ShowCommandTests
{
    [Test]
    [Property("Rule", "1311.205(b)(8)")]
    public async Task Shows_a_person_the_prescription_and_its_verification_indication()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var receiptId = (await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "SHOW-1", DeaNumber = "FT1234563-ICU042" })).JsonLines[0].GetProperty("receiptId").GetString()!;

        var byReceipt = await pharmacy.RunAsync("show", receiptId);
        var byMessageId = await pharmacy.RunAsync("show", "SHOW-1");

        Assert.That(byReceipt.ExitCode, Is.Zero, byReceipt.Error);
        Assert.That(byMessageId.Output, Is.EqualTo(byReceipt.Output));
        Assert.That(byReceipt.Output, Does.Contain("Verification          Sender indicated the practitioner signed; signed by this pharmacy on receipt (1311.210(a)(2))"));
        Assert.That(byReceipt.Output, Does.Contain("DEA number            FT1234563-ICU042"));
        Assert.That(byReceipt.Output, Does.Contain("Schedule              CII (C48675)"));
        Assert.That(byReceipt.Output, Does.Contain("Dispensable           yes"));
    }

    [Test]
    public async Task Says_so_when_nothing_matches()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();

        var run = await pharmacy.RunAsync("show", "NO-SUCH-MESSAGE");

        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Error, Does.Contain("NO-SUCH-MESSAGE"));
    }

    [Test]
    [Property("Rule", "1311.205(b)(3)")]
    [Property("Rule", "1311.210(a)")]
    public async Task The_receipt_signature_verifies_with_openssl_and_the_exported_certificate()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "OPENSSL-1" });
        var export = Path.Combine(pharmacy.Folder, "export");

        var shown = await pharmacy.RunAsync("show", "OPENSSL-1", "--export", export);
        Assert.That(shown.ExitCode, Is.Zero, shown.Error);
        var publicKey = Path.Combine(export, "pub.pem");
        await Openssl.RunAsync(export, "x509", "-in", "pharmacy.crt", "-pubkey", "-noout", "-out", publicKey);
        var verified = await Openssl.RunAsync(export, "dgst", "-sha256", "-verify", publicKey, "-signature", "receipt-signature.der", "signed-content.txt");

        Assert.That(verified, Does.Contain("Verified OK"));
        var signed = await File.ReadAllTextAsync(Path.Combine(export, "signed-content.txt"));
        var asReceivedHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(export, "as-received.xml"))));
        Assert.That(signed, Does.Contain($"AsReceivedSHA256:{asReceivedHash}\n").And.Contain("PatientLastName:Testpatient\n"));

        await File.AppendAllTextAsync(Path.Combine(export, "signed-content.txt"), "x");
        Assert.That(async () => await Openssl.RunAsync(export, "dgst", "-sha256", "-verify", publicKey, "-signature", "receipt-signature.der", "signed-content.txt"),
            Throws.InvalidOperationException.With.Message.Contains("Verification failure"));
    }
}
