namespace PharmacyRx.Core.Verification;

/// <summary>How a message's own signature fared, before its certificate path is looked at.</summary>
public enum SignatureOutcome
{
    /// <summary>The digest matches the signed elements and the signature verifies with the signer's key.</summary>
    Valid,

    /// <summary>The digest does not match the signed elements: the content was altered after signing (1306.08(d)).</summary>
    ContentAltered,

    /// <summary>The digest matches but the signature does not verify with the signer's key.</summary>
    SignatureInvalid,

    /// <summary>A refused algorithm (SHA-1 by default), key or certificate.</summary>
    Refused,

    /// <summary>The signature block cannot be read (missing parts, not base64, no certificate).</summary>
    Malformed,
}

/// <summary>The result of checking a signature block: a value, never an exception.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Reason">Why, for the pharmacist and the audit trail; empty when valid.</param>
/// <param name="DigestAlgorithm">The digest algorithm the sender named, normalised (SHA256, SHA384, SHA512, SHA1).</param>
public sealed record SignatureCheck(SignatureOutcome Outcome, string Reason, string DigestAlgorithm)
{
    public bool IsValid => Outcome is SignatureOutcome.Valid;
}
