using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// The free space of the data folder's file system against <see cref="FreeSpaceOptions"/>: read at most once per
/// <see cref="FreeSpaceOptions.ReadingLifetime"/>, published as the gauge <c>pharmacyrx.data_folder.free_bytes</c>.
/// </summary>
public sealed class FreeSpaceMonitor : IDisposable
{
    /// <summary>The meter of the service's storage gauges.</summary>
    public const string MeterName = "PharmacyRx.Storage";

    private readonly Meter _meter = new(MeterName);
    private readonly DataFolder _data;
    private readonly IOptions<FreeSpaceOptions> _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private (DateTimeOffset At, FreeSpaceReading? Reading)? _last;

    public FreeSpaceMonitor(DataFolder data, IOptions<FreeSpaceOptions> options, TimeProvider time)
    {
        _data = data;
        _options = options;
        _time = time;
        _meter.CreateObservableGauge("pharmacyrx.data_folder.free_bytes", () => Read()?.FreeBytes ?? -1, "By",
            "Free bytes of the data folder's file system");
    }

    /// <summary>The current reading, or null when the file system cannot be read (the folder is gone).</summary>
    public FreeSpaceReading? Read()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_last is { } last && now - last.At < _options.Value.ReadingLifetime)
            {
                return last.Reading;
            }
            var reading = Measure();
            _last = (now, reading);
            return reading;
        }
    }

    private FreeSpaceReading? Measure()
    {
        try
        {
            // DriveInfo reads the file system that holds the path (statvfs on Linux), not only a drive's root.
            var drive = new DriveInfo(Path.GetFullPath(_data.Root));
            var total = drive.TotalSize;
            var options = _options.Value;
            return new FreeSpaceReading(drive.AvailableFreeSpace, total,
                Threshold(total, options.WarningPercent, options.WarningBytes), Threshold(total, options.HardPercent, options.HardBytes));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public void Dispose() => _meter.Dispose();

    private static long Threshold(long total, double percent, long bytes) => Math.Min((long)(total * percent / 100), bytes);
}

/// <summary>One reading of the data folder's file system, with the thresholds that applied to it.</summary>
public sealed record FreeSpaceReading(long FreeBytes, long TotalBytes, long WarningBytes, long HardBytes)
{
    /// <summary>Below the hard threshold: messages are refused.</summary>
    public bool BelowHard => FreeBytes < HardBytes;

    /// <summary>Below the warning threshold.</summary>
    public bool BelowWarning => FreeBytes < WarningBytes;
}
