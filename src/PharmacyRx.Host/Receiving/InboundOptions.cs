using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// Limits on <c>POST /api/inbound</c> (DESIGN.md, "Trust boundaries": a sender cannot fill the disk). Bound to the
/// <c>Inbound</c> section. The size cap itself is <c>Receiving:MaxAcceptedBytes</c>.
/// </summary>
public sealed class InboundOptions
{
    /// <summary>Messages a second one sender may post, sustained. Default 500.</summary>
    [Range(1, 1_000_000)]
    public int PermitsPerSecond { get; set; } = 500;

    /// <summary>Messages one sender may post at once above the sustained rate. Default 2,000.</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 2000;

    /// <summary>Requests a second one address may make without a valid sender credential. Default 5.</summary>
    [Range(1, 1_000_000)]
    public int UnauthenticatedPermitsPerSecond { get; set; } = 5;

    /// <summary>Requests one address may make at once without a valid sender credential. Default 20.</summary>
    [Range(1, 10_000_000)]
    public int UnauthenticatedBurst { get; set; } = 20;

    /// <summary>
    /// How often the same refusal (401 or 429) is audited for one sender or address: once per window, not per
    /// request. Default 1 minute.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan AuditWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Most bytes of one body read at all, in bytes. Default 256 MiB. Past <c>Receiving:MaxAcceptedBytes</c> a body is
    /// only hashed, never held; past this the connection is cut and what was read is archived as too large.
    /// </summary>
    [Range(1024L, long.MaxValue)]
    public long MaxStreamedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Most bytes of a request body on every other route (login, API JSON), in bytes; over it the request is refused
    /// before it is parsed, so anonymous bodies cannot exhaust memory (Kestrel's own default is 30 MB). Default 2 MiB (a
    /// 1 MiB login name is still read, refused with 400 and audited cut short).
    /// </summary>
    [Range(1024L, long.MaxValue)]
    public long MaxOtherBodyBytes { get; set; } = 2 * 1024 * 1024;
}
