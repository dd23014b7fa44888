using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PharmacyRx.Core.Verification;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Verification;

public class CertificateGuardTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    [Test]
    public void Accepts_a_practitioner_certificate_on_a_named_curve()
    {
        using var pki = new TestPki(Now);

        Assert.That(CertificateGuard.Refusal(pki.IssuePractitioner().RawData, AlgorithmPolicy.Production), Is.Null);
    }

    [Test]
    public void Refuses_explicit_EC_curve_parameters()
    {
        using var pki = new TestPki(Now);
        var certificate = pki.IssueWithPublicKey(TestPki.EcPublicKeyWithExplicitParameters(), "Explicit Curve");

        Assert.That(CertificateGuard.Refusal(certificate.RawData, AlgorithmPolicy.Production), Does.Contain("explicit EC curve parameters"));
    }

    [Test]
    public void Refuses_an_RSA_key_over_8192_bits()
    {
        using var pki = new TestPki(Now);
        var certificate = pki.IssueWithPublicKey(TestPki.RsaPublicKeyOfBits(16384), "Huge RSA");

        Assert.That(CertificateGuard.Refusal(certificate.RawData, AlgorithmPolicy.Production), Is.EqualTo("RSA key of 16384 bits; the limit is 8192"));
    }

    [Test]
    public void Refuses_an_RSA_key_under_the_policy_minimum_and_accepts_it_when_relaxed()
    {
        using var pki = new TestPki(Now);
        var certificate = pki.IssueWithPublicKey(TestPki.RsaPublicKeyOfBits(1024), "Small RSA");

        Assert.That(CertificateGuard.Refusal(certificate.RawData, AlgorithmPolicy.Production), Is.EqualTo("RSA key of 1024 bits; at least 2048 are required"));
        Assert.That(CertificateGuard.Refusal(certificate.RawData, AlgorithmPolicy.ConformanceTesting), Is.Null);
    }

    [Test]
    public void Refuses_a_certificate_over_16_KiB()
    {
        using var pki = new TestPki(Now);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var certificate = pki.IssueWithPublicKey(key.ExportSubjectPublicKeyInfo(), "Padded", padding: new byte[20_000]);

        Assert.That(CertificateGuard.Refusal(certificate.RawData, AlgorithmPolicy.Production), Does.StartWith($"certificate is {certificate.RawData.Length} bytes"));
    }

    [Test]
    public void Refuses_SHA1_signatures_unless_the_policy_allows_them()
    {
        // The platform will not sign with SHA-1 any more; NIST PKITS certificates are SHA-1 with RSA-1024.
        var sha1Signed = File.ReadAllBytes(Path.Combine(RepositoryRoot.Path, "tests", "testdata", "pkits", "PKITS", "certs", "GoodCACert.crt"));
        var smallRsa = AlgorithmPolicy.Production with { MinimumRsaBits = 1024 };

        Assert.That(CertificateGuard.Refusal(sha1Signed, smallRsa), Does.Contain("uses SHA-1, which is refused"));
        Assert.That(CertificateGuard.Refusal(sha1Signed, smallRsa with { AllowSha1 = true }), Is.Null);
    }

    [Test]
    public void Refuses_bytes_that_are_not_a_certificate()
    {
        Assert.That(CertificateGuard.Refusal("not a certificate"u8, AlgorithmPolicy.Production), Is.EqualTo("not a DER X.509 certificate"));
    }
}
