using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PharmacyRx.Core.Verification;

/// <summary>
/// Refuses hostile or unacceptable certificates before BouncyCastle parses them: oversized DER, explicit EC curve
/// parameters, unknown curves, RSA keys over 8192 bits or under the policy's minimum, DSA and SHA-1 unless the
/// policy allows them, and MD2/MD5 always. The DER is read by the platform's parser (OpenSSL on Linux).
/// </summary>
public static class CertificateGuard
{
    private const string RsaKey = "1.2.840.113549.1.1.1";
    private const string EcKey = "1.2.840.10045.2.1";
    private const string DsaKey = "1.2.840.10040.4.1";

    private static readonly HashSet<string> NamedCurves = ["1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35"];
    private static readonly HashSet<string> Sha1Signatures = ["1.2.840.113549.1.1.5", "1.2.840.10040.4.3", "1.2.840.10045.4.1"];
    private static readonly HashSet<string> BrokenSignatures = ["1.2.840.113549.1.1.2", "1.2.840.113549.1.1.3", "1.2.840.113549.1.1.4"];

    /// <summary>Returns why the certificate is refused, or null when BouncyCastle may parse it.</summary>
    public static string? Refusal(ReadOnlySpan<byte> der, AlgorithmPolicy policy)
    {
        if (der.Length > AlgorithmPolicy.MaximumCertificateBytes)
        {
            return $"certificate is {der.Length} bytes; the limit is {AlgorithmPolicy.MaximumCertificateBytes}";
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException)
        {
            return "not a DER X.509 certificate";
        }
        using (certificate)
        {
            return KeyRefusal(certificate.PublicKey, policy) ?? SignatureRefusal(certificate.SignatureAlgorithm.Value ?? "", policy);
        }
    }

    private static string? KeyRefusal(PublicKey key, AlgorithmPolicy policy)
    {
        switch (key.Oid.Value)
        {
            case RsaKey:
                var bits = RsaModulusBits(key.EncodedKeyValue.RawData);
                return bits switch
                {
                    null => "the RSA public key is malformed",
                    > AlgorithmPolicy.MaximumRsaBits => $"RSA key of {bits} bits; the limit is {AlgorithmPolicy.MaximumRsaBits}",
                    var b when b < policy.MinimumRsaBits => $"RSA key of {b} bits; at least {policy.MinimumRsaBits} are required",
                    _ => null,
                };
            case EcKey:
                var parameters = key.EncodedParameters?.RawData ?? [];
                if (parameters.Length == 0 || parameters[0] != 0x06)
                {
                    return "explicit EC curve parameters are refused; only named curves are accepted";
                }
                var curve = new AsnReader(parameters, AsnEncodingRules.DER).ReadObjectIdentifier();
                return NamedCurves.Contains(curve) ? null : $"EC curve {curve} is not accepted (P-256, P-384, P-521 are)";
            case DsaKey:
                return policy.AllowDsa ? null : "DSA keys are not accepted";
            default:
                return $"public key algorithm {key.Oid.Value} is not accepted";
        }
    }

    private static string? SignatureRefusal(string algorithm, AlgorithmPolicy policy) =>
        BrokenSignatures.Contains(algorithm) ? $"signature algorithm {algorithm} (MD2/MD5) is never accepted"
        : Sha1Signatures.Contains(algorithm) && !policy.AllowSha1 ? $"signature algorithm {algorithm} uses SHA-1, which is refused"
        : null;

    private static int? RsaModulusBits(byte[] rsaPublicKey)
    {
        try
        {
            var sequence = new AsnReader(rsaPublicKey, AsnEncodingRules.DER).ReadSequence();
            var modulus = sequence.ReadIntegerBytes().Span;
            while (modulus.Length > 0 && modulus[0] == 0)
            {
                modulus = modulus[1..];
            }
            return modulus.IsEmpty ? 0 : ((modulus.Length - 1) * 8) + (8 - System.Numerics.BitOperations.LeadingZeroCount((uint)modulus[0]) + 24);
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}
