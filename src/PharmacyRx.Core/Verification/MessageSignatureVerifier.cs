using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Verification;

/// <summary>
/// Verifies <c>Header/DigitalSignature</c> over the canonical signed elements (schemas/practitioner-signature.md),
/// FIPS 186 through the platform crypto (1311.210(c)(1)): first the digest — a mismatch means the content was
/// altered (1306.08(d)) — then the signature with the signer's certificate key: RSA PKCS#1 v1.5, or ECDSA on
/// P-256/P-384 (DER, or fixed-size r||s). SHA-1 is refused unless the policy allows it.
/// The signer's certificate must pass <see cref="CertificateGuard"/> before its key is used.
/// </summary>
public sealed class MessageSignatureVerifier(AlgorithmPolicy policy)
{
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
        byte[] expectedDigest, signature, signerDer;
        try
        {
            expectedDigest = Convert.FromBase64String(block.DigestValue);
            signature = Convert.FromBase64String(block.SignatureValue);
            signerDer = Convert.FromBase64String(block.Certificates[0]);
        }
        catch (FormatException)
        {
            return new(SignatureOutcome.Malformed, "DigestValue, SignatureValue or X509Certificate is not base64", name);
        }

        var actualDigest = Hash(digest, canonicalElements);
        if (!CryptographicOperations.FixedTimeEquals(actualDigest, expectedDigest))
        {
            return new(SignatureOutcome.ContentAltered,
                "the signed elements do not match the signature's digest: the prescription was altered after signing (1306.08(d))", name);
        }
        if (CertificateGuard.Refusal(signerDer, policy) is { } refusal)
        {
            return new(SignatureOutcome.Refused, $"signer certificate refused: {refusal}", name);
        }

        using var signer = X509CertificateLoader.LoadCertificate(signerDer);
        var verified = signer.GetRSAPublicKey() is { } rsa
            ? Using(rsa, key => key.VerifyHash(actualDigest, signature, digest, RSASignaturePadding.Pkcs1))
            : signer.GetECDsaPublicKey() is { } ecdsa
                ? Using(ecdsa, key => key.VerifyHash(actualDigest, signature, DSASignatureFormat.Rfc3279DerSequence)
                    || key.VerifyHash(actualDigest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
                : (bool?)null;
        return verified switch
        {
            null => new(SignatureOutcome.Refused, "the signer's key is neither RSA nor ECDSA", name),
            false => new(SignatureOutcome.SignatureInvalid, "the signature does not verify with the signer's certificate", name),
            true => new(SignatureOutcome.Valid, "", name),
        };
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

    private static bool Using<T>(T key, Func<T, bool> verify) where T : IDisposable
    {
        using (key)
        {
            return verify(key);
        }
    }
}
