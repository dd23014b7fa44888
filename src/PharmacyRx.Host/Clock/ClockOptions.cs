using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Host.Clock;

/// <summary>The clock check (section <c>Clock</c>): 1311.205(b)(4)(v), within five minutes of NIST time.</summary>
public sealed class ClockOptions
{
    /// <summary>Whether the check runs at all (off for an air-gapped test bench only).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The NTP server asked; default NIST's.</summary>
    public string Server { get; set; } = "time.nist.gov";

    /// <summary>Its UDP port; default 123.</summary>
    [Range(1, 65_535)]
    public int Port { get; set; } = 123;

    /// <summary>How often the clock is checked after start-up; default one hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "31.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The largest skew accepted; default five minutes (1311.205(b)(4)(v)).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MaxSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one query may take; default 5 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}
