using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Cli;

/// <summary><c>trust</c>, <c>crl</c> and <c>sign-as-prescriber</c> run in-process against an installed pharmacy.</summary>
public class TrustCommandTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static string Pem(InstalledPharmacy pharmacy, string name, string pem) =>
        pharmacy.WriteMessage(name, System.Text.Encoding.ASCII.GetBytes(pem));

    private static async Task<List<AuditEvent>> AuditAsync(InstalledPharmacy pharmacy)
    {
        await using var context = PharmacyRx.Host.Cli.CommandContext.Open(pharmacy.Data, signingKey: null);
        var events = new List<AuditEvent>();
        await foreach (var stored in context.Get<AuditLog>().ReadAllAsync(CancellationToken.None))
        {
            events.Add(stored.Event);
        }
        return events;
    }

    [Test]
    [Property("Rule", "1311.205(b)(13)")]
    public async Task Trust_add_list_and_remove_are_each_audited_with_before_and_after()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        using var pki = new TestPki(Now);
        var root = Pem(pharmacy, "root.crt", pki.Root.ExportCertificatePem());

        var add = await pharmacy.RunAsync("trust", "add", root);
        var again = await pharmacy.RunAsync("trust", "add", root);
        var list = await pharmacy.RunAsync("trust", "list", "--format", "json");
        var thumbprint = add.JsonLines[0].GetProperty("thumbprint").GetString()!;
        var remove = await pharmacy.RunAsync("trust", "remove", thumbprint);
        var emptied = await pharmacy.RunAsync("trust", "list");
        var missing = await pharmacy.RunAsync("trust", "remove", thumbprint);

        Assert.That(add.ExitCode, Is.Zero, add.Error);
        Assert.That(thumbprint, Is.EqualTo(pki.Root.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant()));
        Assert.That(again.JsonLines[0].GetProperty("added").GetBoolean(), Is.False);
        Assert.That(list.JsonLines.Select(l => (l.GetProperty("purpose").GetString(), l.GetProperty("subject").GetString())),
            Is.EqualTo(new[] { ("Anchor", "CN=Synthetic Root CA") }));
        Assert.That(remove.ExitCode, Is.Zero, remove.Error);
        Assert.That(emptied.Output, Does.StartWith("no trusted certificates"));
        Assert.That((missing.ExitCode, missing.Error), Is.EqualTo((1, $"error: no trusted certificate has thumbprint {thumbprint}\n")));
        var changes = (await AuditAsync(pharmacy)).Where(e => e.Type is AuditEventTypes.TrustAdded or AuditEventTypes.TrustRemoved).ToArray();
        Assert.That(changes.Select(e => (e.Type, e.Target, e.Actor.StartsWith("cli:", StringComparison.Ordinal))), Is.EqualTo(new[]
        {
            (AuditEventTypes.TrustAdded, thumbprint, true), (AuditEventTypes.TrustRemoved, thumbprint, true),
        }));
        Assert.That(changes[1].Details, Does.StartWith("before: trusted as Anchor").And.EndWith("after: not trusted"));
    }

    [Test]
    public async Task Trust_add_refuses_an_end_entity_without_intermediary_and_a_hostile_certificate()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        using var pki = new TestPki(Now);
        var practitioner = Pem(pharmacy, "practitioner.crt", pki.IssuePractitioner().ExportCertificatePem());
        var hostile = pharmacy.WriteMessage("hostile.crt", pki.IssueWithPublicKey(TestPki.EcPublicKeyWithExplicitParameters(), "Explicit Curve").RawData);

        var notCa = await pharmacy.RunAsync("trust", "add", practitioner);
        var asIntermediary = await pharmacy.RunAsync("trust", "add", practitioner, "--intermediary");
        var refused = await pharmacy.RunAsync("trust", "add", hostile, "--intermediary");

        Assert.That((notCa.ExitCode, notCa.Error), Is.EqualTo((1,
            "error: the certificate is not a certification authority; use --intermediary to trust an intermediary's signing certificate\n")));
        Assert.That(asIntermediary.JsonLines[0].GetProperty("purpose").GetString(), Is.EqualTo("Intermediary"));
        Assert.That(refused.ExitCode, Is.EqualTo(1));
        Assert.That(refused.Error, Does.StartWith("error: certificate refused: explicit EC curve parameters are refused"));
    }

    [Test]
    public async Task Crl_import_lists_issuer_number_and_dates_and_refuses_garbage_or_a_wrong_key_for_a_trusted_issuer()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        using var pki = new TestPki(Now);
        using var impostor = new TestPki(Now);
        await pharmacy.RunAsync("trust", "add", Pem(pharmacy, "root.crt", pki.Root.ExportCertificatePem()));

        var import = await pharmacy.RunAsync("crl", "import", pharmacy.WriteMessage("root.crl", pki.Crl(pki.Root, [], number: 7)));
        var wrongKey = await pharmacy.RunAsync("crl", "import", pharmacy.WriteMessage("impostor.crl", impostor.Crl(impostor.Root, [])));
        var garbage = await pharmacy.RunAsync("crl", "import", pharmacy.WriteMessage("garbage.crl", "not a CRL"u8.ToArray()));
        var list = await pharmacy.RunAsync("crl", "list", "--format", "json");

        Assert.That(import.ExitCode, Is.Zero, import.Error);
        Assert.That(wrongKey.Error, Does.Contain("that trusted authority's key does not verify its signature"));
        Assert.That((garbage.ExitCode, garbage.Error), Is.EqualTo((1, "error: CRL refused: not a DER or PEM X.509 CRL\n")));
        var listed = list.JsonLines.Single();
        Assert.That((listed.GetProperty("issuer").GetString(), listed.GetProperty("number").GetString(), listed.GetProperty("source").GetString()),
            Is.EqualTo(("CN=Synthetic Root CA", "7", "import:root.crl")));
        Assert.That(listed.GetProperty("nextUpdate").GetString(), Does.StartWith(Now.AddDays(7).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        var audit = await AuditAsync(pharmacy);
        Assert.That(audit.Count(e => e.Type == AuditEventTypes.CrlStored), Is.EqualTo(1));
        Assert.That(audit.Count(e => e.Type == AuditEventTypes.CrlRefused && e.Outcome == AuditOutcome.Failure), Is.EqualTo(2));
    }

    [Test]
    public async Task A_message_signed_by_the_sender_simulator_is_verified_on_receipt()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        using var pki = new TestPki(Now);
        var practitioner = pki.IssuePractitioner();
        var key = Pem(pharmacy, "practitioner.key", practitioner.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var certificate = Pem(pharmacy, "practitioner.crt", practitioner.ExportCertificatePem());
        var intermediate = Pem(pharmacy, "intermediate.crt", pki.Intermediate.ExportCertificatePem());
        var unsigned = pharmacy.WriteMessage("unsigned.xml", new SyntheticNewRx { MessageId = "SIM-1", SignatureIndicator = null, SentTime = Now.ToString("O", System.Globalization.CultureInfo.InvariantCulture) }.ToBytes());
        var signed = Path.Combine(pharmacy.Folder, "signed.xml");
        await pharmacy.RunAsync("trust", "add", Pem(pharmacy, "root.crt", pki.Root.ExportCertificatePem()));
        await pharmacy.RunAsync("crl", "import", pharmacy.WriteMessage("root.crl", pki.Crl(pki.Root, [])));
        await pharmacy.RunAsync("crl", "import", pharmacy.WriteMessage("intermediate.crl", pki.Crl(pki.Intermediate, [])));

        var sign = await pharmacy.RunAsync("sign-as-prescriber", "--key", key, "--cert", certificate, "--chain", intermediate, unsigned, signed);
        var ingest = await pharmacy.RunAsync("ingest", signed);

        Assert.That(sign.ExitCode, Is.Zero, sign.Error);
        Assert.That(sign.JsonLines[0].GetProperty("certificates").GetInt32(), Is.EqualTo(2));
        Assert.That(ingest.JsonLines[0].GetProperty("status").GetString(), Is.EqualTo("VerifiedOnReceipt"), ingest.Output);
    }
}
