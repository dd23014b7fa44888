namespace PharmacyRx.Core.Verification;

/// <summary>The outcome of validating a certification path: valid, or invalid with a precise reason. Never an exception.</summary>
public sealed record PathValidationResult(bool IsValid, string Reason)
{
    public static PathValidationResult Valid { get; } = new(true, "");

    public static PathValidationResult Invalid(string reason) => new(false, reason);
}
