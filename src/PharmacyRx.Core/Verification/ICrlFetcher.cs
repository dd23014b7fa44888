namespace PharmacyRx.Core.Verification;

/// <summary>Fetches a CRL from a certificate's distribution points (HTTP), with whatever resilience the host applies.</summary>
public interface ICrlFetcher
{
    /// <summary>The first CRL any of the points serves, or null with why none could be had. Never throws for network faults.</summary>
    Task<CrlFetchResult> FetchAsync(IReadOnlyList<Uri> distributionPoints, CancellationToken cancellationToken);
}
