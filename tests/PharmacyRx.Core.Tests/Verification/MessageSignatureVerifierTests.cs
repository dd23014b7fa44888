using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Verification;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Verification;

public class MessageSignatureVerifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
    private static readonly MessageSignatureVerifier Verifier = new(AlgorithmPolicy.Production);

    private static byte[] Canonical(SyntheticNewRx message) =>
        SignedElements.FormatUtf8(new ScriptMessageReader().Read(message.ToBytes()).Message!.Elements);

    private static X509Certificate2 SelfSigned(AsymmetricAlgorithm key, HashAlgorithmName hash)
    {
        var request = key switch
        {
            RSA rsa => new CertificateRequest("CN=Synthetic RSA Prescriber", rsa, hash, RSASignaturePadding.Pkcs1),
            ECDsa ecdsa => new CertificateRequest("CN=Synthetic ECDSA Prescriber", ecdsa, hash),
            _ => throw new ArgumentException("RSA or ECDSA", nameof(key)),
        };
        return request.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(1));
    }

    [Test]
    [Property("Rule", "1311.205(b)(5)")]
    public void Accepts_an_ECDSA_P256_SHA256_signature()
    {
        using var pki = new TestPki(Now);
        var canonical = Canonical(new SyntheticNewRx());
        var block = PrescriberSignature.Sign(canonical, pki.IssuePractitioner(), HashAlgorithmName.SHA256, [pki.Intermediate]);

        Assert.That(Verifier.Verify(block, canonical), Is.EqualTo(new SignatureCheck(SignatureOutcome.Valid, "", "SHA256")));
    }

    [Test]
    public void Accepts_an_RSA_2048_PKCS1_signature_and_an_ECDSA_P384_SHA384_signature()
    {
        var canonical = Canonical(new SyntheticNewRx());
        using var rsa = RSA.Create(2048);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsaCertificate = SelfSigned(rsa, HashAlgorithmName.SHA256);
        using var p384Certificate = SelfSigned(p384, HashAlgorithmName.SHA384);

        Assert.That(Verifier.Verify(PrescriberSignature.Sign(canonical, rsaCertificate, HashAlgorithmName.SHA256, []), canonical).IsValid, Is.True);
        Assert.That(Verifier.Verify(PrescriberSignature.Sign(canonical, p384Certificate, HashAlgorithmName.SHA384, []), canonical).IsValid, Is.True);
    }

    [Test]
    public void Says_the_content_was_altered_when_the_quantity_changed_after_signing()
    {
        using var pki = new TestPki(Now);
        var block = PrescriberSignature.Sign(Canonical(new SyntheticNewRx { Quantity = "20" }), pki.IssuePractitioner(), HashAlgorithmName.SHA256, []);

        var check = Verifier.Verify(block, Canonical(new SyntheticNewRx { Quantity = "200" }));

        Assert.That(check.Outcome, Is.EqualTo(SignatureOutcome.ContentAltered));
        Assert.That(check.Reason, Does.Contain("altered after signing (1306.08(d))"));
    }

    [Test]
    public void Says_the_content_was_altered_when_the_patient_changed_after_signing()
    {
        using var pki = new TestPki(Now);
        var block = PrescriberSignature.Sign(Canonical(new SyntheticNewRx()), pki.IssuePractitioner(), HashAlgorithmName.SHA256, []);

        Assert.That(Verifier.Verify(block, Canonical(new SyntheticNewRx { PatientLastName = "Someoneelse" })).Outcome, Is.EqualTo(SignatureOutcome.ContentAltered));
    }

    [Test]
    [Property("Rule", "1311.205(b)(5)")]
    public void Rejects_a_signature_made_with_another_key()
    {
        using var pki = new TestPki(Now);
        var canonical = Canonical(new SyntheticNewRx());
        var signed = PrescriberSignature.Sign(canonical, pki.IssuePractitioner("Dr One"), HashAlgorithmName.SHA256, []);
        var other = pki.IssuePractitioner("Dr Two");

        var check = Verifier.Verify(signed with { Certificates = [Convert.ToBase64String(other.RawData)] }, canonical);

        Assert.That(check.Outcome, Is.EqualTo(SignatureOutcome.SignatureInvalid));
    }

    [Test]
    public void Refuses_SHA1_by_default_and_accepts_it_when_the_setting_allows_it()
    {
        var canonical = Canonical(new SyntheticNewRx());
        using var rsa = RSA.Create(2048);
        using var certificate = SelfSigned(rsa, HashAlgorithmName.SHA256);
        var block = PrescriberSignature.Sign(canonical, certificate, HashAlgorithmName.SHA1, []);

        var refused = Verifier.Verify(block, canonical);
        var allowed = new MessageSignatureVerifier(AlgorithmPolicy.Production with { AllowSha1 = true }).Verify(block, canonical);

        Assert.That(refused.Outcome, Is.EqualTo(SignatureOutcome.Refused));
        Assert.That(refused.Reason, Does.Contain("SHA-1"));
        Assert.That(allowed, Is.EqualTo(new SignatureCheck(SignatureOutcome.Valid, "", "SHA1")));
    }

    [Test]
    public void Refuses_a_hostile_signer_certificate_before_using_its_key()
    {
        using var pki = new TestPki(Now);
        var canonical = Canonical(new SyntheticNewRx());
        var signed = PrescriberSignature.Sign(canonical, pki.IssuePractitioner(), HashAlgorithmName.SHA256, []);
        var hostile = pki.IssueWithPublicKey(TestPki.EcPublicKeyWithExplicitParameters(), "Explicit Curve");

        var check = Verifier.Verify(signed with { Certificates = [Convert.ToBase64String(hostile.RawData)] }, canonical);

        Assert.That(check.Outcome, Is.EqualTo(SignatureOutcome.Refused));
        Assert.That(check.Reason, Does.Contain("explicit EC curve parameters"));
    }

    [TestCase("SHA256", "!!!", "c2ln")]
    [TestCase("MD5", "AAAA", "c2ln")]
    public void Calls_an_unreadable_block_malformed(string method, string digest, string signature)
    {
        var block = new SignatureBlock { DigestMethod = method, DigestValue = digest, SignatureValue = signature, Certificates = ["AAAA"] };

        Assert.That(Verifier.Verify(block, Canonical(new SyntheticNewRx())).Outcome, Is.EqualTo(SignatureOutcome.Malformed));
    }
}
