using System.Security.Cryptography.X509Certificates;
using PharmacyRx.Core.Verification;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Verification;

public class CertificatePathValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private static CertificatePathValidator Validator(TestPki pki) => new([pki.Root.RawData], AlgorithmPolicy.Production);

    private static byte[][] Crls(TestPki pki, params X509Certificate2[] revoked) =>
    [
        pki.Crl(pki.Root, revoked.Where(c => c.Issuer == pki.Root.Subject)),
        pki.Crl(pki.Intermediate, revoked.Where(c => c.Issuer == pki.Intermediate.Subject)),
    ];

    [Test]
    public void Accepts_a_practitioner_chained_to_the_trusted_root_with_current_CRLs()
    {
        using var pki = new TestPki(Now);
        var practitioner = pki.IssuePractitioner();

        var result = Validator(pki).Validate([practitioner.RawData, pki.Intermediate.RawData], Crls(pki), Now);

        Assert.That(result, Is.EqualTo(PathValidationResult.Valid), result.Reason);
    }

    [Test]
    public void Accepts_the_chain_in_any_order()
    {
        using var pki = new TestPki(Now);
        var practitioner = pki.IssuePractitioner();

        Assert.That(Validator(pki).Validate([practitioner.RawData, pki.Root.RawData, pki.Intermediate.RawData], Crls(pki), Now).IsValid, Is.True);
    }

    [Test]
    [Property("Rule", "1311.210(c)")]
    public void Rejects_a_revoked_practitioner()
    {
        using var pki = new TestPki(Now);
        var practitioner = pki.IssuePractitioner();

        var result = Validator(pki).Validate([practitioner.RawData, pki.Intermediate.RawData], Crls(pki, practitioner), Now);

        Assert.That(result.Reason, Does.Contain("revocation").And.Contain("keyCompromise"));
    }

    [Test]
    public void Rejects_a_practitioner_under_a_revoked_intermediate()
    {
        using var pki = new TestPki(Now);
        var practitioner = pki.IssuePractitioner();

        var result = Validator(pki).Validate([practitioner.RawData, pki.Intermediate.RawData], Crls(pki, pki.Intermediate), Now);

        Assert.That(result.Reason, Does.Contain("revocation"));
    }

    [Test]
    public void Rejects_an_expired_practitioner_certificate()
    {
        using var pki = new TestPki(Now);
        var practitioner = pki.IssuePractitioner(notBefore: Now.AddYears(-2), notAfter: Now.AddDays(-1));

        var result = Validator(pki).Validate([practitioner.RawData, pki.Intermediate.RawData], Crls(pki), Now);

        Assert.That(result.IsValid, Is.False);
        Assert.That(result.Reason, Does.Contain("expired").Or.Contain("not valid"));
    }

    [Test]
    public void Rejects_a_chain_to_an_untrusted_root()
    {
        using var pki = new TestPki(Now);
        using var stranger = new TestPki(Now, "Stranger");
        var practitioner = stranger.IssuePractitioner();

        var result = Validator(pki).Validate([practitioner.RawData, stranger.Intermediate.RawData, stranger.Root.RawData], Crls(stranger), Now);

        Assert.That(result.IsValid, Is.False);
    }

    [Test]
    public void Rejects_when_no_CRL_covers_the_path()
    {
        using var pki = new TestPki(Now);
        var practitioner = pki.IssuePractitioner();

        var result = Validator(pki).Validate([practitioner.RawData, pki.Intermediate.RawData], [pki.Crl(pki.Root, [])], Now);

        Assert.That(result.Reason, Does.Contain("No CRLs found"));
    }

    [Test]
    [Property("Rule", "1311.210(c)")]
    public void Rejects_an_expired_CRL()
    {
        using var pki = new TestPki(Now);
        var practitioner = pki.IssuePractitioner();
        byte[][] crls = [pki.Crl(pki.Root, []), pki.Crl(pki.Intermediate, [], nextUpdate: Now.AddMinutes(-10))];

        Assert.That(Validator(pki).Validate([practitioner.RawData, pki.Intermediate.RawData], crls, Now).IsValid, Is.False);
    }

    [Test]
    public void Rejects_a_CRL_signed_by_the_wrong_key()
    {
        using var pki = new TestPki(Now);
        using var forger = new TestPki(Now, "Synthetic"); // same names, other keys
        var practitioner = pki.IssuePractitioner();
        byte[][] crls = [pki.Crl(pki.Root, []), forger.Crl(forger.Intermediate, [])];

        Assert.That(Validator(pki).Validate([practitioner.RawData, pki.Intermediate.RawData], crls, Now).IsValid, Is.False);
    }

    [Test]
    public void Rejects_a_signer_whose_key_usage_is_not_for_signing()
    {
        using var pki = new TestPki(Now);
        var practitioner = pki.IssuePractitioner(usage: X509KeyUsageFlags.KeyEncipherment);

        var result = Validator(pki).Validate([practitioner.RawData, pki.Intermediate.RawData], Crls(pki), Now);

        Assert.That(result.Reason, Does.Contain("digitalSignature"));
    }

    [Test]
    public void Rejects_a_chain_longer_than_eight_before_parsing_it()
    {
        using var pki = new TestPki(Now);
        var chain = Enumerable.Repeat(pki.Intermediate.RawData, 9).ToArray();

        Assert.That(Validator(pki).Validate(chain, [], Now).Reason, Is.EqualTo("9 certificates in the chain; the limit is 8"));
    }

    [Test]
    public void Rejects_a_hostile_certificate_in_the_chain_before_BouncyCastle_sees_it()
    {
        using var pki = new TestPki(Now);
        var hostile = pki.IssueWithPublicKey(TestPki.EcPublicKeyWithExplicitParameters(), "Explicit Curve");

        var result = Validator(pki).Validate([hostile.RawData, pki.Intermediate.RawData], Crls(pki), Now);

        Assert.That(result.Reason, Does.StartWith("certificate 0 refused: explicit EC curve parameters"));
    }
}
