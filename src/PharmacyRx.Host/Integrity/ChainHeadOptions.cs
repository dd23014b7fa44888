using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Host.Integrity;

/// <summary>How often the audit chain's head is signed (section <c>Audit</c>).</summary>
public sealed class ChainHeadOptions
{
    /// <summary>
    /// <c>Audit:HeadInterval</c>: the longest time events may wait before their head is signed while there is activity;
    /// default 5 minutes. Past the last signed head, a truncation of the trail cannot be proven.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan HeadInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary><c>Audit:HeadEvery</c>: the head is signed as soon as this many events follow the last signed head; default 1,000.</summary>
    [Range(1, 10_000_000)]
    public int HeadEvery { get; set; } = 1_000;
}
