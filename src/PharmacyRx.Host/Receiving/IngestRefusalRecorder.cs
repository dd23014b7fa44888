namespace PharmacyRx.Host.Receiving;

/// <summary>Writes the audit events of <see cref="IngestRefusals"/> every few seconds, once the database can take them.</summary>
public sealed partial class IngestRefusalRecorder(IngestRefusals refusals, TimeProvider time, ILogger<IngestRefusalRecorder> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicWork.RunAsync(Interval, time, refusals.RecordAsync, ex => LogNotYet(logger, ex), stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await refusals.RecordAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNotYet(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The refusal of messages could not be audited yet; trying again")]
    private static partial void LogNotYet(ILogger logger, Exception exception);
}
