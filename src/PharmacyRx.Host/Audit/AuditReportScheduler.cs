using PharmacyRx.Core.Clock;

namespace PharmacyRx.Host.Audit;

/// <summary>
/// Writes the daily audit report once per calendar day, shortly after midnight in the pharmacy's zone, and at start-up for every day
/// missed (1311.215(b)).
/// </summary>
public sealed partial class AuditReportScheduler(AuditReporter reporter, PharmacyClock clock, TimeProvider time, ILogger<AuditReportScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await reporter.CatchUpAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
            var next = clock.At(clock.Today.AddDays(1), TimeSpan.FromMinutes(5));
            await Task.Delay(next - time.GetUtcNow(), time, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The daily audit report could not be written; it is retried at the next run")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
