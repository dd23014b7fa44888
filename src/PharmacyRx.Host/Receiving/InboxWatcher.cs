using Microsoft.Extensions.Options;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// Archives every <c>*.xml</c> file dropped in the inbox folder, then moves it to <c>archived/</c> named by its
/// receipt id. A file is moved only after its record is committed, and never deleted: a crash between the two
/// re-reads the file, and the MessageID makes that a duplicate, not a second record. A file too large to accept
/// moves to <c>refused/</c> untouched.
/// </summary>
public sealed partial class InboxWatcher(
    DataFolder data,
    ReceiptPipeline pipeline,
    ScriptReaderOptions readerOptions,
    IOptions<InboxOptions> options,
    TimeProvider time,
    ILogger<InboxWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        Directory.CreateDirectory(data.Inbox);
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        do
        {
            await ScanAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Archives every settled file now; returns how many were archived.</summary>
    public async Task<int> ScanAsync(CancellationToken cancellationToken)
    {
        var archived = 0;
        var settledBefore = time.GetUtcNow() - options.Value.SettleTime;
        foreach (var path in Directory.EnumerateFiles(data.Inbox, "*.xml").Order(StringComparer.Ordinal))
        {
            var file = new FileInfo(path);
            if (file.LastWriteTimeUtc > settledBefore.UtcDateTime)
            {
                continue;
            }
            if (file.Length > readerOptions.MaxAcceptedBytes)
            {
                MoveTo(path, "refused", file.Name);
                LogRefused(logger, file.Name, file.Length);
                continue;
            }
            try
            {
                var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
                var result = await pipeline.ReceiveAsync(bytes, ReceiptSource.Inbox, cancellationToken);
                MoveTo(path, "archived", $"{result.ReceiptId:D}_{file.Name}");
                archived++;
            }
            catch (IOException ex)
            {
                // Locked or vanished mid-read: leave it for the next scan.
                LogUnreadable(logger, ex, file.Name);
            }
        }
        return archived;
    }

    private void MoveTo(string path, string folder, string name)
    {
        var target = Path.Combine(data.Inbox, folder);
        Directory.CreateDirectory(target);
        File.Move(path, Path.Combine(target, name), overwrite: false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbox file {File} is {Length} bytes, over the accepted size; moved to refused/")]
    private static partial void LogRefused(ILogger logger, string file, long length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbox file {File} could not be read; will retry")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string file);
}
