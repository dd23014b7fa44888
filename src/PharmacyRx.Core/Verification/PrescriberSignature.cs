using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Verification;

/// <summary>
/// The sender's side of schemas/practitioner-signature.md: signs canonical signed elements the way a prescriber's
/// application does. Used by the sender simulator and by tests; the pharmacy never signs as a prescriber.
/// </summary>
public static class PrescriberSignature
{
    /// <summary>Signs with the certificate's private key (RSA PKCS#1 v1.5 or ECDSA, DER) and names the chain.</summary>
    public static SignatureBlock Sign(
        ReadOnlySpan<byte> canonicalElements, X509Certificate2 signer, HashAlgorithmName digest, IEnumerable<X509Certificate2> chain)
    {
        var hash = MessageSignatureVerifier.Hash(digest, canonicalElements);
        byte[] signature;
        if (signer.GetRSAPrivateKey() is { } rsa)
        {
            using (rsa)
            {
                signature = rsa.SignHash(hash, digest, RSASignaturePadding.Pkcs1);
            }
        }
        else if (signer.GetECDsaPrivateKey() is { } ecdsa)
        {
            using (ecdsa)
            {
                signature = ecdsa.SignHash(hash, DSASignatureFormat.Rfc3279DerSequence);
            }
        }
        else
        {
            throw new ArgumentException("the signer certificate needs an RSA or ECDSA private key", nameof(signer));
        }
        return new SignatureBlock
        {
            DigestMethod = digest.Name!,
            DigestValue = Convert.ToBase64String(hash),
            SignatureValue = Convert.ToBase64String(signature),
            Certificates = [Convert.ToBase64String(signer.RawData), .. chain.Select(c => Convert.ToBase64String(c.RawData))],
        };
    }
}
