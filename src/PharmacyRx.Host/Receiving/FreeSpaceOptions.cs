using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// Free space of the data folder's file system (section <c>Storage:FreeSpace</c>). Each threshold is the smaller of its
/// percentage of the file system and its byte count, so a large disk is not refused with gigabytes free.
/// </summary>
public sealed class FreeSpaceOptions
{
    /// <summary>Readiness is Degraded below this percentage of the file system; default 10.</summary>
    [Range(0.0, 100.0)]
    public double WarningPercent { get; set; } = 10;

    /// <summary>Readiness is Degraded below this many bytes; default 1 GiB.</summary>
    [Range(0, long.MaxValue)]
    public long WarningBytes { get; set; } = 1L << 30;

    /// <summary>Below this percentage readiness is Unhealthy and messages are refused (503) before the database can fail; default 2.</summary>
    [Range(0.0, 100.0)]
    public double HardPercent { get; set; } = 2;

    /// <summary>Below this many bytes readiness is Unhealthy and messages are refused; default 200 MiB.</summary>
    [Range(0, long.MaxValue)]
    public long HardBytes { get; set; } = 200L << 20;

    /// <summary>How long one reading of the file system is used before it is read again; default 1 second.</summary>
    public TimeSpan ReadingLifetime { get; set; } = TimeSpan.FromSeconds(1);
}
