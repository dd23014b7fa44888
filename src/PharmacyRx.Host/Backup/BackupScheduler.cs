namespace PharmacyRx.Host.Backup;

/// <summary>
/// Runs the daily backup at <see cref="BackupOptions.LocalTime"/> (the machine's local time) and, at start-up, catches
/// up a day that was missed (1311.205(b)(17)). A failed run is audited by <see cref="BackupService"/> and retried the
/// next day; the daily audit report lists it as an incident.
/// </summary>
public sealed partial class BackupScheduler(BackupService backups, BackupOptions options, TimeProvider time, ILogger<BackupScheduler> logger)
    : BackgroundService
{
    /// <summary>The most recent scheduled moment at or before <paramref name="now"/>.</summary>
    public static DateTimeOffset LastScheduled(DateTimeOffset now, TimeSpan localTime, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var today = new DateTimeOffset(local.Date + localTime, zone.GetUtcOffset(local.Date + localTime));
        return today <= now ? today : today.AddDays(-1);
    }

    /// <summary>Takes a backup when none was taken since the last scheduled moment; true when it did.</summary>
    public async Task<bool> CatchUpAsync(CancellationToken cancellationToken)
    {
        var due = LastScheduled(time.GetUtcNow(), options.LocalTime, time.LocalTimeZone);
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
            var next = LastScheduled(time.GetUtcNow(), options.LocalTime, time.LocalTimeZone).AddDays(1);
            await Task.Delay(next - time.GetUtcNow() + TimeSpan.FromSeconds(1), time, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled backup failed; the next try is at the next scheduled time")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);
}
