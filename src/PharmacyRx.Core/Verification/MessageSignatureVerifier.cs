using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Verification;

/// <summary>
/// Verifies <c>Header/DigitalSignature</c> over the canonical signed elements (schemas/practitioner-signature.md) per
/// FIPS 186 (1311.210(c)(1)): digest first (a mismatch means altered content, 1306.08(d)), then RSA PKCS#1 v1.5 or
/// ECDSA P-256/P-384 (SHA-1 only if allowed) with a key whose certificate passed <see cref="CertificateGuard"/>.
/// </summary>
public sealed class MessageSignatureVerifier(AlgorithmPolicy policy)
{
    private const int MaximumCachedKeys = 10_000;

    private readonly ConcurrentDictionary<string, SignerKey> _keys = new(StringComparer.Ordinal);

    public AlgorithmPolicy Policy => policy;

    public SignatureCheck Verify(SignatureBlock block, ReadOnlySpan<byte> canonicalElements)
    {
        if (Digest(block.DigestMethod) is not { } digest)
        {
            return new(SignatureOutcome.Malformed, $"unknown DigestMethod '{block.DigestMethod}'", "");
        }
        if (digest == HashAlgorithmName.SHA1 && !policy.AllowSha1)
        {
            return new(SignatureOutcome.Refused, "SHA-1 signatures are refused (a setting allows them for legacy senders)", "SHA1");
        }
        var name = digest.Name!;
        if (block.Certificates.Count == 0)
        {
            return new(SignatureOutcome.Malformed, "X509Data carries no signer certificate", name);
        }
        byte[] expectedDigest, signature;
        try
        {
            expectedDigest = Convert.FromBase64String(block.DigestValue);
            signature = Convert.FromBase64String(block.SignatureValue);
        }
        catch (FormatException)
        {
            return new(SignatureOutcome.Malformed, "DigestValue or SignatureValue is not base64", name);
        }

        var actualDigest = Hash(digest, canonicalElements);
        if (!CryptographicOperations.FixedTimeEquals(actualDigest, expectedDigest))
        {
            return new(SignatureOutcome.ContentAltered,
                "the signed elements do not match the signature's digest: the prescription was altered after signing (1306.08(d))", name);
        }
        var signer = SignerKeyOf(block.Certificates[0]);
        if (signer.Refusal is { } refusal)
        {
            return new(signer.Malformed ? SignatureOutcome.Malformed : SignatureOutcome.Refused, refusal, name);
        }
        var verified = signer.Key switch
        {
            RSA rsa => rsa.VerifyHash(actualDigest, signature, digest, RSASignaturePadding.Pkcs1),
            ECDsa ecdsa => ecdsa.VerifyHash(actualDigest, signature, DSASignatureFormat.Rfc3279DerSequence)
                || ecdsa.VerifyHash(actualDigest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ => throw new InvalidOperationException("a signer key without a refusal is RSA or ECDSA"),
        };
        return verified
            ? new(SignatureOutcome.Valid, "", name)
            : new(SignatureOutcome.SignatureInvalid, "the signature does not verify with the signer's certificate", name);
    }

    /// <summary>Maps a DigestMethod (a name or an XML-DSig URI) to a hash algorithm.</summary>
    public static HashAlgorithmName? Digest(string method) => method.Trim().ToUpperInvariant() switch
    {
        "SHA256" or "SHA-256" or "HTTP://WWW.W3.ORG/2001/04/XMLENC#SHA256" => HashAlgorithmName.SHA256,
        "SHA384" or "SHA-384" or "HTTP://WWW.W3.ORG/2001/04/XMLDSIG-MORE#SHA384" => HashAlgorithmName.SHA384,
        "SHA512" or "SHA-512" or "HTTP://WWW.W3.ORG/2001/04/XMLENC#SHA512" => HashAlgorithmName.SHA512,
        "SHA1" or "SHA-1" or "HTTP://WWW.W3.ORG/2000/09/XMLDSIG#SHA1" => HashAlgorithmName.SHA1,
        _ => null,
    };

    /// <summary>The digest of the canonical signed elements, as a sender computes it.</summary>
    public static byte[] Hash(HashAlgorithmName algorithm, ReadOnlySpan<byte> canonicalElements) => algorithm.Name switch
    {
        "SHA256" => SHA256.HashData(canonicalElements),
        "SHA384" => SHA384.HashData(canonicalElements),
        "SHA512" => SHA512.HashData(canonicalElements),
#pragma warning disable CA5350 // reached only when the policy allows SHA-1 for a legacy sender
        "SHA1" => SHA1.HashData(canonicalElements),
#pragma warning restore CA5350
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>
    /// The signer's public key, parsed and guarded once per certificate (the platform key objects are safe for
    /// concurrent verification). Bounded: a sender cycling through certificates cannot grow it without limit.
    /// </summary>
    private SignerKey SignerKeyOf(string certificateBase64)
    {
        if (_keys.TryGetValue(certificateBase64, out var cached))
        {
            return cached;
        }
        if (_keys.Count >= MaximumCachedKeys)
        {
            _keys.Clear();
        }
        var key = LoadSignerKey(certificateBase64, policy);
        return _keys.GetOrAdd(certificateBase64, key);
    }

    private static SignerKey LoadSignerKey(string certificateBase64, AlgorithmPolicy policy)
    {
        byte[] der;
        try
        {
            der = Convert.FromBase64String(certificateBase64);
        }
        catch (FormatException)
        {
            return new SignerKey(null, "X509Certificate is not base64", Malformed: true);
        }
        if (CertificateGuard.Refusal(der, policy) is { } refusal)
        {
            return new SignerKey(null, $"signer certificate refused: {refusal}", Malformed: false);
        }
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        AsymmetricAlgorithm? key = certificate.GetRSAPublicKey() ?? (AsymmetricAlgorithm?)certificate.GetECDsaPublicKey();
        return key is null
            ? new SignerKey(null, "the signer's key is neither RSA nor ECDSA", Malformed: false)
            : new SignerKey(key, null, Malformed: false);
    }

    private sealed record SignerKey(AsymmetricAlgorithm? Key, string? Refusal, bool Malformed);
}
