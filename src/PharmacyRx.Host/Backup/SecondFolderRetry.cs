namespace PharmacyRx.Host.Backup;

/// <summary>Copies to <c>Backup:SecondFolder</c> what an unreachable or full second folder missed, every <see cref="BackupOptions.SecondFolderRetry"/>.</summary>
public sealed partial class SecondFolderRetry(SecondFolderCopies copies, BackupOptions options, TimeProvider time, ILogger<SecondFolderRetry> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => string.IsNullOrWhiteSpace(options.SecondFolder)
        ? Task.CompletedTask
        : PeriodicWork.RunAsync(options.SecondFolderRetry, time, copies.CopyMissingAsync, ex => LogFailed(logger, ex), stoppingToken);

    [LoggerMessage(Level = LogLevel.Error, Message = "Copying to Backup:SecondFolder failed; trying again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
