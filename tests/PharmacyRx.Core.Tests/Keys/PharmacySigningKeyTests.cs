using System.Security.Cryptography;
using PharmacyRx.Core.Keys;

namespace PharmacyRx.Core.Tests.Keys;

public class PharmacySigningKeyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    [Test]
    public void A_saved_key_loads_with_its_password_and_signs_what_its_certificate_verifies()
    {
        (string Key, string Certificate) pem;
        using (var generated = PharmacySigningKey.Generate("Synthetic Pharmacy", Now))
        {
            pem = generated.ToPem("correct horse battery");
        }

        using var key = PharmacySigningKey.FromPem(pem.Key, pem.Certificate, "correct horse battery".ToCharArray(), "key.pem", "cert.pem");
        var content = "receipt content"u8.ToArray();
        var signature = key.Sign(content);

        Assert.That(PharmacySigningKey.Verify(key.Certificate, content, signature), Is.True);
        Assert.That(PharmacySigningKey.Verify(key.Certificate, "other content"u8, signature), Is.False);
    }

    [Test]
    [Property("Rule", "1311.205(b)(4)")]
    public void The_key_file_is_encrypted_PKCS8_with_AES_256_and_PBKDF2_SHA256()
    {
        using var key = PharmacySigningKey.Generate("Synthetic Pharmacy", Now);

        var pem = key.ToPem("correct horse battery").KeyPem;
        var der = Convert.FromBase64String(pem[PemEncoding.Find(pem).Base64Data]);
        var info = System.Security.Cryptography.Pkcs.Pkcs8PrivateKeyInfo.DecryptAndDecode("correct horse battery", der, out _);

        Assert.That(pem, Does.StartWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        // PBES2 (1.2.840.113549.1.5.13), PBKDF2 (1.2.840.113549.1.5.12), HMAC-SHA256 (1.2.840.113549.2.9), AES-256-CBC (2.16.840.1.101.3.4.1.42)
        var asn = Convert.ToHexString(der);
        Assert.That(asn, Does.Contain("2A864886F70D01050D").And.Contain("2A864886F70D01050C").And.Contain("2A864886F70D0209").And.Contain("60864801650304012A"));
        Assert.That(info.AlgorithmId.Value, Is.EqualTo("1.2.840.10045.2.1"), "an EC key");
    }

    [Test]
    [Property("Rule", "1311.205(b)(4)")]
    public void Loading_clears_the_password_even_when_it_is_wrong()
    {
        (string Key, string Certificate) pem;
        using (var generated = PharmacySigningKey.Generate("Synthetic Pharmacy", Now))
        {
            pem = generated.ToPem("correct horse battery");
        }
        var right = "correct horse battery".ToCharArray();
        var wrong = "wrong horse battery!!".ToCharArray();

        PharmacySigningKey.FromPem(pem.Key, pem.Certificate, right, "key.pem", "cert.pem").Dispose();
        Assert.That(() => PharmacySigningKey.FromPem(pem.Key, pem.Certificate, wrong, "key.pem", "cert.pem"), Throws.InstanceOf<CryptographicException>());

        Assert.That(right, Is.All.EqualTo('\0'));
        Assert.That(wrong, Is.All.EqualTo('\0'));
    }

    [Test]
    public void Signs_correctly_from_many_threads_at_once()
    {
        using var key = PharmacySigningKey.Generate("Synthetic Pharmacy", Now);
        var contents = Enumerable.Range(0, 200).Select(i => System.Text.Encoding.UTF8.GetBytes($"content {i}")).ToArray();

        var signatures = contents.AsParallel().Select(content => key.Sign(content)).ToArray();

        Assert.That(contents.Zip(signatures).All(pair => PharmacySigningKey.Verify(key.Certificate, pair.First, pair.Second)), Is.True);
    }
}
