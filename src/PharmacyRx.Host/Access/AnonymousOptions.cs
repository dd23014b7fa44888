using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Host.Access;

/// <summary>How refusals of callers without credentials are capped and audited. Bound to the <c>Anonymous</c> section.</summary>
public sealed class AnonymousOptions
{
    /// <summary>The window refusals are counted and audited in. Default 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Refusals (401) answered per window across every address; past it, 429 until the next window. Default 600.</summary>
    [Range(1, 1_000_000)]
    public int RefusalsPerWindow { get; set; } = 600;

    /// <summary>
    /// Address groups (IPv4 /24, IPv6 /64) named in a window's audit events; the rest are summed in one more. Default 50:
    /// a window adds at most 51 events, however many requests and addresses.
    /// </summary>
    [Range(1, 10_000)]
    public int GroupsPerWindow { get; set; } = 50;
}
