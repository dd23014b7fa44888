namespace PharmacyRx.Core.Verification;

/// <summary>
/// The outcome of validating a certification path: valid, or invalid with a precise reason. Never an exception.
/// <see cref="IsRevoked"/> tells a revocation (a certificate on the path is on its issuer's CRL) from other failures.
/// </summary>
public sealed record PathValidationResult(bool IsValid, string Reason, bool IsRevoked = false)
{
    public static PathValidationResult Valid { get; } = new(true, "");

    public static PathValidationResult Invalid(string reason) => new(false, reason);

    public static PathValidationResult Revoked(string reason) => new(false, reason, IsRevoked: true);
}
