using PharmacyRx.Core.Audit;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.WebConsole.Pages;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Operations;
using PharmacyRx.Storage.Prescriptions;

namespace PharmacyRx.Host.Operations;

/// <summary>
/// The figures that need a read of the database or the data folder, read every <see cref="OperationsOptions.FiguresInterval"/>
/// in the background: a scrape reads <see cref="Current"/> and never the database, so a 1,000,000-row archive costs one
/// queue read per interval however often Prometheus asks. Times are kept, and ages reckoned at the scrape.
/// </summary>
public sealed partial class OperationsFigures(
    WorkQueueReader queue,
    OperationsQueries queries,
    IncidentStore incidents,
    BackupOptions backup,
    DataFolder data,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<OperationsOptions> options,
    ILogger<OperationsFigures> logger) : BackgroundService
{
    /// <summary>One reading. Counts and times only: no name, no MessageID, no receipt id.</summary>
    public sealed record Reading(DateTimeOffset ReadAt)
    {
        /// <summary>Per queue group (<see cref="WorkQueueReader.Groups"/>): its count and its oldest receipt time.</summary>
        public IReadOnlyList<(string Group, long Count, DateTimeOffset? Oldest)> Queue { get; init; } = [];

        /// <summary>When the newest backup in the backup folder was taken.</summary>
        public DateTimeOffset? NewestBackup { get; init; }

        /// <summary>The newest BackupCompleted or BackupFailed event (1311.205(b)(17)).</summary>
        public OperationsQueries.EventStamp? LastBackupRun { get; init; }

        /// <summary>The newest ArchiveVerified event: a `verify` run and its outcome (1311.215(a)(5)).</summary>
        public OperationsQueries.EventStamp? LastVerify { get; init; }

        /// <summary>The newest ChainHeadSigned event.</summary>
        public OperationsQueries.EventStamp? LastHead { get; init; }

        /// <summary>The oldest event not under a signed head (the one after the newest ChainHeadSigned), or null.</summary>
        public OperationsQueries.EventStamp? OldestUnsigned { get; init; }

        /// <summary>Flagged auditable events nobody has decided (1311.215(c)), and when the oldest of them happened.</summary>
        public int Undecided { get; init; }

        public DateTimeOffset? OldestUndecided { get; init; }
    }

    private Reading? _current;

    /// <summary>The last reading; null before the first.</summary>
    public Reading? Current => Volatile.Read(ref _current);

    /// <summary>Reads every figure now.</summary>
    public async Task<Reading> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rows = await queue.ReadAsync(now - WorkQueueReader.OpenWindow, perGroup: 1, cancellationToken);
        var groups = WorkQueueReader.Groups.Select(group => rows.FirstOrDefault(r => r.Group == group) is { } row
            ? (group, row.GroupCount, Oldest(row))
            : (group, 0L, (DateTimeOffset?)null)).ToArray();
        var lastHead = await queries.LatestAsync([AuditEventTypes.ChainHeadSigned], cancellationToken);
        var standing = await incidents.ReadAsync(cancellationToken);
        var undecided = standing.Undecided;
        var reading = new Reading(now)
        {
            Queue = groups,
            NewestBackup = BackupService.List(BackupService.BackupFolder(backup, data)) is [var newest, ..] ? newest.TakenAt : null,
            LastBackupRun = await queries.LatestAsync([AuditEventTypes.BackupCompleted, AuditEventTypes.BackupFailed], cancellationToken),
            LastVerify = await queries.LatestAsync([AuditEventTypes.ArchiveVerified], cancellationToken),
            LastHead = lastHead,
            OldestUnsigned = await queries.NextAsync(lastHead?.Sequence ?? 0, cancellationToken),
            Undecided = undecided.Count,
            OldestUndecided = undecided.Count == 0 ? null : undecided.Min(e => e.Event.OccurredAt),
        };
        Volatile.Write(ref _current, reading);
        return reading;
    }

    private static DateTimeOffset? Oldest(WorkQueueReader.Entry row)
    {
        DateTimeOffset? oldest = null;
        foreach (var text in new[] { row.OldestInGroup, row.OldestOpen })
        {
            if (text is not null && Core.Receiving.ReceiptSeal.TryParseTimestamp(text, out var at) && (oldest is null || at < oldest))
            {
                oldest = at;
            }
        }
        return oldest;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicWork.RunAsync(options.Value.FiguresInterval, time, async cancellationToken => await ReadAsync(cancellationToken),
            ex => LogFailed(logger, ex), stoppingToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The monitoring figures could not be read; the last reading stays until the next try")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
