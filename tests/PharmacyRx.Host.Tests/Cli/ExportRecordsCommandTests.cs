using System.Security.Cryptography;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Cli;

/// <summary><c>export-records</c>: every record with its signatures, checked here with openssl alone as its README says.</summary>
public class ExportRecordsCommandTests
{
    [Test]
    [Property("Rule", "1311.210(b)")]
    [Property("Rule", "1311.305")]
    public async Task Every_record_is_written_with_an_index_and_openssl_alone_verifies_the_seal_and_the_practitioners_signature()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var now = DateTimeOffset.UtcNow;
        using var pki = new TestPki(now);
        await pharmacy.RunAsync("trust", "add", pharmacy.WriteMessage("root.crt", System.Text.Encoding.ASCII.GetBytes(pki.Root.ExportCertificatePem())));
        await pharmacy.RunAsync("crl", "import", pharmacy.WriteMessage("root.crl", pki.Crl(pki.Root, [])));
        await pharmacy.RunAsync("crl", "import", pharmacy.WriteMessage("intermediate.crl", pki.Crl(pki.Intermediate, [])));
        var signed = new SyntheticNewRx { MessageId = "X-SIGNED", SentTime = now.ToString("O", System.Globalization.CultureInfo.InvariantCulture) }
            .SignedBy(pki.IssuePractitioner(), HashAlgorithmName.SHA256, pki.Intermediate);
        var ingest = await pharmacy.IngestAsync(signed, new SyntheticNewRx { MessageId = "X-PLAIN", PrescriberOrderNumber = "O-P" });
        await pharmacy.RunAsync("ingest", pharmacy.WriteMessage("broken.xml", "<not xml"u8.ToArray()));
        var output = Path.Combine(pharmacy.Folder, "bundle");

        var export = await pharmacy.RunAsync("export-records", "--out", output);
        var again = await pharmacy.RunAsync("export-records", "--out", output);

        Assert.That(ingest.JsonLines[0].GetProperty("status").GetString(), Is.EqualTo("VerifiedOnReceipt"), ingest.Output);
        Assert.That(export.ExitCode, Is.Zero, export.Error);
        Assert.That(export.JsonLines[0].GetProperty("records").GetInt64(), Is.EqualTo(3));
        Assert.That(again.Error, Does.EndWith("is not empty\n"));
        var index = File.ReadAllLines(Path.Combine(output, "index.tsv")).Skip(1).Select(line => line.Split('\t')).ToArray();
        Assert.That(index.Select(row => (row[2], row[7])), Is.EquivalentTo(new[] { ("X-SIGNED", "present"), ("X-PLAIN", "none"), ("", "none") }));
        Assert.That(File.ReadAllText(Path.Combine(output, "README.txt")), Does.Contain("openssl dgst -sha256 -verify pharmacy.pub"));

        var row = index.Single(r => r[2] == "X-SIGNED");
        var record = row[9];
        await Openssl.RunAsync(output, "x509", "-in", $"pharmacy-certificates/{row[8]}.crt", "-pubkey", "-noout", "-out", "pharmacy.pub");
        var seal = await Openssl.RunAsync(output, "dgst", "-sha256", "-verify", "pharmacy.pub", "-signature", $"{record}/receipt-signature.der", $"{record}/signed-content.txt");
        await Openssl.RunAsync(output, "x509", "-in", $"{record}/practitioner/signer.crt", "-pubkey", "-noout", "-out", "signer.pub");
        var practitioner = await Openssl.RunAsync(output, "dgst", "-sha256", "-verify", "signer.pub", "-signature",
            $"{record}/practitioner/signature.der", $"{record}/practitioner/signed-elements.txt");
        await File.WriteAllTextAsync(Path.Combine(output, "root.pem"), pki.Root.ExportCertificatePem());
        var chain = await Openssl.RunAsync(output, "verify", "-CAfile", "root.pem", "-untrusted", $"{record}/practitioner/chain-1.crt", $"{record}/practitioner/signer.crt");

        Assert.That((seal.Trim(), practitioner.Trim()), Is.EqualTo(("Verified OK", "Verified OK")));
        Assert.That(chain, Does.EndWith(": OK\n"));
        Assert.That(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(output, record, "as-received.xml")))), Is.EqualTo(row[6]));
        Assert.That(File.ReadAllBytes(Path.Combine(output, record, "as-received.xml")), Is.EqualTo(signed.ToBytes()));
    }

    [Test]
    [Property("Rule", "1311.210(b)")]
    public async Task A_certificate_planted_in_keys_is_not_exported_and_show_exports_the_certificate_that_sealed_the_record()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "X-ONE" });
        using (var rogueKey = RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Not the pharmacy", rogueKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var rogue = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            File.WriteAllText(Path.Combine(pharmacy.Data.KeysFolder, "planted.crt"), rogue.ExportCertificatePem());
        }
        var output = Path.Combine(pharmacy.Folder, "bundle");
        var shownFolder = Path.Combine(pharmacy.Folder, "shown");

        var export = await pharmacy.RunAsync("export-records", "--out", output);
        var shown = await pharmacy.RunAsync("show", "X-ONE", "--export", shownFolder, "--format", "json");

        Assert.That(export.ExitCode, Is.Zero, export.Error);
        var exported = Directory.GetFiles(Path.Combine(output, "pharmacy-certificates")).Select(Path.GetFileNameWithoutExtension).ToArray();
        var pin = pharmacy.InitOutput.GetProperty("pin").GetString()!;
        Assert.That(exported, Is.EqualTo(new[] { pin }).IgnoreCase, "only the key history's certificate");
        Assert.That(shown.ExitCode, Is.Zero, shown.Error);
        using var sealer = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(shownFolder, "pharmacy.crt")));
        Assert.That(sealer.GetCertHashString(HashAlgorithmName.SHA256), Is.EqualTo(pin).IgnoreCase);
    }
}
