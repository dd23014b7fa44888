namespace PharmacyRx.Core.Verification;

/// <summary>A fetched CRL, or why there is none.</summary>
public sealed record CrlFetchResult(RevocationList? List, string Reason)
{
    public static CrlFetchResult Failed(string reason) => new(null, reason);
}
