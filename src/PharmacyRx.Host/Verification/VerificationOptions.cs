using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Host.Verification;

/// <summary>Settings of practitioner-signature verification (section <c>Verification</c>).</summary>
public sealed class VerificationOptions
{
    /// <summary>Accept SHA-1 digests from legacy senders. Off by default; refused or allowed, the receipt audit says so.</summary>
    public bool AllowSha1 { get; set; }

    /// <summary>A folder of CRL files (DER or PEM, <c>*.crl</c>) read at start-up and on each refresh; default <c>DATA/crls</c>.</summary>
    public string? CrlFolder { get; set; }

    /// <summary>How long one HTTP attempt to fetch a CRL may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries after a failed fetch, with exponential back-off and jitter.</summary>
    [Range(0, 20)]
    public int FetchRetries { get; set; } = 2;

    /// <summary>Delay before the first retry.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan FetchRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a distribution point host is left alone after its circuit breaks.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often trust and CRLs are reloaded, expiring CRLs refreshed and pending records re-checked.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A fetched CRL is fetched again this long before its nextUpdate.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "31.00:00:00")]
    public TimeSpan RefreshAhead { get; set; } = TimeSpan.FromHours(1);
}
