using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Host.Compliance;

/// <summary>The compliance self-report (section <c>Compliance</c>).</summary>
public sealed class ComplianceOptions
{
    /// <summary>How often <c>serve</c> makes the report again for <c>/health/ready</c>; default one hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "31.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The test results (a TRX file or a folder of them) <c>serve</c>'s report lists; none by default.</summary>
    public string? TestResults { get; set; }

    /// <summary>How long a record may wait for its revocation check before the report fails it; default one day.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "366.00:00:00")]
    public TimeSpan MaxPendingAge { get; set; } = TimeSpan.FromDays(1);

}
