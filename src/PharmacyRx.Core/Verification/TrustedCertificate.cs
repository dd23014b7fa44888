namespace PharmacyRx.Core.Verification;

/// <summary>A certificate pharmacy IT configured, by its SHA-256 thumbprint (lower-case hex of the DER).</summary>
public sealed record TrustedCertificate(string Thumbprint, TrustPurpose Purpose, string Subject, DateTimeOffset NotAfter, byte[] Der);
