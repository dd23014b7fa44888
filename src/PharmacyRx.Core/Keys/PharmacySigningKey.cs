using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PharmacyRx.Core.Keys;

/// <summary>
/// The pharmacy's receipt-signing key: ECDSA P-256 with SHA-256 (FIPS 186, 1311.205(b)(4)(ii)) through the platform
/// crypto, stored as encrypted PKCS#8 (PBES2, AES-256-CBC, PBKDF2-HMAC-SHA256) beside its self-issued certificate.
/// Signatures are DER (RFC 3279) so <c>openssl dgst -sha256 -verify</c> checks them as they are.
/// </summary>
public sealed class PharmacySigningKey : IDisposable
{
    /// <summary>PBKDF2 iterations protecting the stored key (OWASP 2023 guidance for PBKDF2-HMAC-SHA256).</summary>
    public const int KeyDerivationIterations = 600_000;

    private readonly ECDsa _key;
    private readonly ConcurrentBag<ECDsa> _signers = [];

    private PharmacySigningKey(ECDsa key, X509Certificate2 certificate)
    {
        _key = key;
        Certificate = certificate;
        Thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
    }

    /// <summary>The self-issued certificate anyone can verify receipt signatures with.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>SHA-256 thumbprint of <see cref="Certificate"/>, stored with every signature.</summary>
    public string Thumbprint { get; }

    /// <summary>Generates a key and a self-issued certificate valid for ten years from <paramref name="now"/>.</summary>
    public static PharmacySigningKey Generate(string pharmacyName, DateTimeOffset now)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName(pharmacyName);
        subject.AddCommonName("PharmacyRx receipt signing");
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(
            new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var selfSigned = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        // Keep only the public certificate; the private key lives in _key and in the encrypted file.
        return new PharmacySigningKey(key, X509CertificateLoader.LoadCertificate(selfSigned.RawData));
    }

    /// <summary>The key encrypted under <paramref name="password"/> (PKCS#8 PEM), and the certificate (PEM): what the key files hold.</summary>
    public (string KeyPem, string CertificatePem) ToPem(ReadOnlySpan<char> password)
    {
        var pbe = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, KeyDerivationIterations);
        return (_key.ExportEncryptedPkcs8PrivateKeyPem(password, pbe), Certificate.ExportCertificatePem() + "\n");
    }

    /// <summary>
    /// The key from its encrypted PEM and its certificate's PEM (named in errors as <paramref name="keyName"/> and
    /// <paramref name="certificateName"/>); clears <paramref name="password"/> whether or not it succeeded
    /// (1311.205(b)(4)(iv): no plain-text password left in memory once the module is active).
    /// </summary>
    public static PharmacySigningKey FromPem(string keyPem, string certificatePem, char[] password, string keyName, string certificateName)
    {
        try
        {
            var key = ECDsa.Create();
            key.ImportFromEncryptedPem(keyPem, password);
            var certificate = CertificateFromPem(certificatePem);
            using var certificateKey = certificate.GetECDsaPublicKey()
                ?? throw new CryptographicException($"{certificateName} does not hold an ECDSA certificate");
            if (!certificateKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                throw new CryptographicException($"{certificateName} does not match the key in {keyName}");
            }
            return new PharmacySigningKey(key, certificate);
        }
        finally
        {
            Array.Clear(password);
        }
    }

    /// <summary>Signs content with ECDSA P-256 / SHA-256; safe to call from many threads.</summary>
    public byte[] Sign(ReadOnlySpan<byte> content)
    {
        var signer = _signers.TryTake(out var pooled) ? pooled : CloneKey();
        try
        {
            return signer.SignData(content, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        finally
        {
            _signers.Add(signer);
        }
    }

    /// <summary>The private scalar, for deriving the audit chain's key (<see cref="Audit.ChainKey"/>); the caller clears it.</summary>
    internal byte[] PrivateScalar() => _key.ExportParameters(includePrivateParameters: true).D!;

    /// <summary>Checks a receipt signature against a certificate (this key's, or an older one kept on file).</summary>
    public static bool Verify(X509Certificate2 certificate, ReadOnlySpan<byte> content, ReadOnlySpan<byte> signature)
    {
        using var key = certificate.GetECDsaPublicKey();
        return key is not null && Verify(key, content, signature);
    }

    /// <summary>Checks a receipt signature against a certificate's public key already taken out (verify keeps one per signer).</summary>
    public static bool Verify(ECDsa publicKey, ReadOnlySpan<byte> content, ReadOnlySpan<byte> signature) =>
        publicKey.VerifyData(content, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>A certificate from its PEM text.</summary>
    public static X509Certificate2 CertificateFromPem(string certificatePem) =>
        X509CertificateLoader.LoadCertificate(PemToDer(certificatePem));

    public void Dispose()
    {
        _key.Dispose();
        while (_signers.TryTake(out var signer))
        {
            signer.Dispose();
        }
        Certificate.Dispose();
    }

    // ECDsa instances are not documented as thread-safe; each concurrent signer gets its own copy of the key.
    private ECDsa CloneKey()
    {
        var secret = _key.ExportECPrivateKey();
        try
        {
            var clone = ECDsa.Create();
            clone.ImportECPrivateKey(secret, out _);
            return clone;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private static byte[] PemToDer(string pem)
    {
        var fields = PemEncoding.Find(pem);
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }
}
