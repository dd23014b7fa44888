using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Verification;

/// <summary>
/// What checking a practitioner's or intermediary's signature decided (1311.210(c)): a status, a stable reason code
/// for machines and logs, and a reason for the pharmacist that names certificates and rules, never prescription values.
/// </summary>
public sealed record VerificationVerdict(PrescriptionStatus Status, string ReasonCode, string Reason)
{
    public const string LegacySha1Allowed = "LegacySha1Allowed";
    public const string ContentAltered = "ContentAltered";
    public const string SignatureInvalid = "SignatureInvalid";
    public const string AlgorithmRefused = "AlgorithmRefused";
    public const string SignatureMalformed = "SignatureMalformed";
    public const string CertificatePathInvalid = "CertificatePathInvalid";
    public const string CertificateNotValidAtSigning = "CertificateNotValidAtSigning";
    public const string CertificateRevoked = "CertificateRevoked";
    public const string RevocationStatusUnavailable = "RevocationStatusUnavailable";

    public static VerificationVerdict Invalid(string code, string reason) => new(PrescriptionStatus.Invalid, code, reason);

    public static VerificationVerdict Pending(string reason) => new(
        PrescriptionStatus.PendingRevocationCheck,
        RevocationStatusUnavailable,
        $"signature verified and certification path valid, but no current CRL could be had: {reason}; re-checked until one arrives (1311.210(c)(2))");
}
