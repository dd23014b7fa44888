using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Integrity;

/// <summary>
/// Signs the chain head in <c>serve</c> once <see cref="ChainHeadOptions.HeadEvery"/> events follow the last signed head,
/// or <see cref="ChainHeadOptions.HeadInterval"/> after the first event that is not yet signed, whichever comes first.
/// </summary>
public sealed partial class ChainHeadScheduler(
    ChainHeads heads, AuditLog audit, ChainHeadOptions options, TimeProvider time, ILogger<ChainHeadScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = options.HeadInterval < TimeSpan.FromSeconds(15) ? options.HeadInterval : TimeSpan.FromSeconds(15);
        long lastSigned = 0;
        DateTimeOffset? unsignedSince = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(poll, time, stoppingToken);
            try
            {
                var latest = await audit.LatestAsync(stoppingToken);
                if (latest is null || latest.Event.Type == AuditEventTypes.ChainHeadSigned)
                {
                    lastSigned = latest?.Sequence ?? 0;
                    unsignedSince = null;
                    continue;
                }
                unsignedSince ??= time.GetUtcNow();
                if (latest.Sequence - lastSigned >= options.HeadEvery || time.GetUtcNow() - unsignedSince >= options.HeadInterval)
                {
                    lastSigned = (await heads.SignAsync(stoppingToken))?.Sequence + 1 ?? lastSigned;
                    unsignedSince = null;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit chain head could not be signed; it is retried at the next poll")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
