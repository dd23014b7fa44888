using PharmacyRx.Core.Clock;

namespace PharmacyRx.Host.Backup;

/// <summary>
/// Runs the daily backup at <see cref="BackupOptions.LocalTime"/> (on the pharmacy's clock, <c>Pharmacy:TimeZone</c>) and, at start-up, catches
/// up a day that was missed (1311.205(b)(17)). A failed run is audited by <see cref="BackupService"/> and retried the
/// next day; the daily audit report lists it as an incident.
/// </summary>
public sealed partial class BackupScheduler(BackupService backups, BackupOptions options, PharmacyClock clock, TimeProvider time, ILogger<BackupScheduler> logger)
    : BackgroundService
{
    /// <summary>The most recent scheduled moment at or before <paramref name="now"/>.</summary>
    public static DateTimeOffset LastScheduled(DateTimeOffset now, TimeSpan localTime, TimeZoneInfo zone)
    {
        var clock = new PharmacyClock(TimeProvider.System, zone);
        var today = clock.ToLocalDate(now);
        var due = clock.At(today, localTime);
        return due <= now ? due : clock.At(today.AddDays(-1), localTime);
    }

    /// <summary>Takes a backup when none was taken since the last scheduled moment; true when it did.</summary>
    public async Task<bool> CatchUpAsync(CancellationToken cancellationToken)
    {
        var due = LastScheduled(time.GetUtcNow(), options.LocalTime, clock.Zone);
        if (backups.List() is [var newest, ..] && newest.TakenAt >= due)
        {
            return false;
        }
        await backups.RunAsync(BackupService.Actor, cancellationToken);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CatchUpAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRunFailed(logger, ex);
            }
            // The next day's time on the pharmacy's clock: 23 or 25 hours away when its clocks change.
            var next = clock.At(clock.ToLocalDate(LastScheduled(time.GetUtcNow(), options.LocalTime, clock.Zone)).AddDays(1), options.LocalTime);
            await Task.Delay(next - time.GetUtcNow() + TimeSpan.FromSeconds(1), time, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled backup failed; the next try is at the next scheduled time")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);
}
