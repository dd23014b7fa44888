using Microsoft.Extensions.Options;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// Archives every <c>*.xml</c> dropped in the inbox, then moves it to <c>archived/</c> by receipt id, never deleting: a
/// crash in between re-reads it as a duplicate. Only regular files the service user owns are read (file permissions
/// authenticate the inbox); anything else, or what could not be archived or moved, goes to <c>refused/</c>.
/// </summary>
public sealed partial class InboxWatcher(
    DataFolder data,
    ReceiptPipeline pipeline,
    AuditLog audit,
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
        // The folder itself failed (gone, unreadable): say so and look again at the next tick.
        await PeriodicWork.RunAsync(options.Value.PollInterval, time, async token =>
            {
                Directory.CreateDirectory(data.Inbox);
                await ScanAsync(token);
            }, ex => LogScanFailed(logger, ex), stoppingToken);
    }

    /// <summary>Archives every settled file now; returns how many were archived.</summary>
    public async Task<int> ScanAsync(CancellationToken cancellationToken)
    {
        var archived = 0;
        var settledBefore = time.GetUtcNow() - options.Value.SettleTime;
        foreach (var path in Directory.EnumerateFiles(data.Inbox, "*.xml").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            try
            {
                if (await ReceiveAsync(path, name, settledBefore, cancellationToken))
                {
                    archived++;
                }
            }
            catch (StorageFaultException ex)
            {
                // A storage fault (disk full, a lock): nothing was archived and the file stays for the next scan.
                LogRetrying(logger, name, ex.Fault.Name);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Whatever went wrong with this file, it must not stop the rest: it moves aside with the reason.
                LogFailed(logger, ex, name);
                await RefuseAsync(path, name, $"processing failed: {ex.GetType().Name}", cancellationToken);
            }
        }
        return archived;
    }

    private async Task<bool> ReceiveAsync(string path, string name, DateTimeOffset settledBefore, CancellationToken cancellationToken)
    {
        using var opened = InboxFile.Open(path);
        if (opened.Refusal is { } refusal)
        {
            await RefuseAsync(path, name, refusal, cancellationToken);
            return false;
        }
        if (opened.Handle is null)
        {
            return false; // gone since it was listed
        }
        if (File.GetLastWriteTimeUtc(opened.Handle) > settledBefore.UtcDateTime)
        {
            return false; // still being written; next scan
        }
        if (!OperatingSystem.IsWindows())
        {
            // Kept in the data folder, so the service's alone (0600), whatever mode it was dropped with; set on the file
            // opened, never through a path a link could have replaced since.
            File.SetUnixFileMode(opened.Handle, OwnerOnlyFiles.FileMode);
        }
        ArchiveResult result;
        await using (var stream = new FileStream(opened.Handle, FileAccess.Read, bufferSize: 0))
        {
            // A stalled file system must not stall the inbox: reading gives up after Inbox:ReadTimeout and the file moves aside.
            result = await pipeline.ReceiveAsync(stream, opened.Length, ReceiptSource.Inbox, options.Value.ReadTimeout, cancellationToken);
        }
        MoveTo(path, "archived", $"{result.ReceiptId:D}_{name}");
        return true;
    }

    /// <summary>Moves a file (or link, or FIFO: the entry itself, never what it points to) to <c>refused/</c> and audits why.</summary>
    private async Task RefuseAsync(string path, string name, string reason, CancellationToken cancellationToken)
    {
        string where;
        try
        {
            where = MoveTo(path, "refused", name);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNotMoved(logger, ex, name);
            where = "left in place: it could not be moved";
        }
        LogRefused(logger, name, reason);
        try
        {
            await audit.AppendAsync(
                [new AuditEvent(time.GetUtcNow(), AuditEventTypes.InboxFileRefused, ReceiptSource.Inbox.Actor, AuditOutcome.Failure, $"inbox/{name}",
                    $"reason={reason}; {where}; not archived from the inbox")],
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The audit trail itself failed (the database down): said in the log; the file is where the log says.
            LogNotAudited(logger, ex, name);
        }
    }

    private string MoveTo(string path, string folder, string name)
    {
        var target = Path.Combine(data.Inbox, folder);
        Directory.CreateDirectory(target);
        var destination = Path.Combine(target, name);
        if (Path.Exists(destination))
        {
            destination = Path.Combine(target, $"{Guid.CreateVersion7(time.GetUtcNow()):N}_{name}");
        }
        File.Move(path, destination, overwrite: false);
        return $"moved to {folder}/{Path.GetFileName(destination)}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbox file {File} refused: {Reason}; moved to refused/")]
    private static partial void LogRefused(ILogger logger, string file, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbox file {File} could not be processed; moving it aside")]
    private static partial void LogFailed(ILogger logger, Exception exception, string file);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbox file {File} could not be moved aside")]
    private static partial void LogNotMoved(ILogger logger, Exception exception, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbox file {File} was not archived ({Fault}); it stays for the next scan")]
    private static partial void LogRetrying(ILogger logger, string file, string fault);

    [LoggerMessage(Level = LogLevel.Error, Message = "The refusal of inbox file {File} could not be audited")]
    private static partial void LogNotAudited(ILogger logger, Exception exception, string file);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scanning the inbox failed; trying again at the next tick")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);
}
