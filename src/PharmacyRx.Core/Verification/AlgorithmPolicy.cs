namespace PharmacyRx.Core.Verification;

/// <summary>
/// Which keys and signature algorithms a certification path may use, and the hard limits applied to every
/// certificate before BouncyCastle parses it (defence in depth in front of BouncyCastle.Cryptography 2.x, which has
/// its own fixes for crafted inputs: explicit EC curve parameters, huge keys).
/// </summary>
/// <param name="MinimumRsaBits">Smallest RSA modulus accepted.</param>
/// <param name="AllowSha1">Whether SHA-1 signatures are accepted (legacy senders only).</param>
/// <param name="AllowDsa">Whether DSA keys are accepted.</param>
public sealed record AlgorithmPolicy(int MinimumRsaBits, bool AllowSha1, bool AllowDsa)
{
    /// <summary>Largest RSA modulus accepted, in bits, whatever the policy.</summary>
    public const int MaximumRsaBits = 8192;

    /// <summary>Largest certificate accepted, in bytes of DER.</summary>
    public const int MaximumCertificateBytes = 16 * 1024;

    /// <summary>Most certificates in a path below the trust anchor.</summary>
    public const int MaximumChainLength = 8;

    /// <summary>Largest CRL accepted, in bytes of DER.</summary>
    public const int MaximumCrlBytes = 32 * 1024 * 1024;

    /// <summary>RSA from 2048 bits, ECDSA on P-256/P-384/P-521, SHA-256 and stronger.</summary>
    public static AlgorithmPolicy Production { get; } = new(2048, AllowSha1: false, AllowDsa: false);

    /// <summary>
    /// For conformance data only (NIST PKITS uses RSA-1024, SHA-1 and DSA); never for prescriptions.
    /// </summary>
    public static AlgorithmPolicy ConformanceTesting { get; } = new(1024, AllowSha1: true, AllowDsa: true);
}
