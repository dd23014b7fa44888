using PharmacyRx.Storage.Prescriptions;

namespace PharmacyRx.Host.Export;

/// <summary>
/// Derives the export details of newly received prescriptions every minute while the service runs, in batches off the
/// archive writer's path, so an inspector's export has little left to derive before it starts; and the patient search rows
/// (<see cref="PatientSearchIndex"/>), which after an upgrade fills those of every prescription from before it.
/// </summary>
public sealed partial class PrescriptionDetailsUpkeep(PrescriptionDetails details, PatientSearchIndex patients, TimeProvider time, ILogger<PrescriptionDetailsUpkeep> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await details.CatchUpAsync(stoppingToken);
                await patients.CatchUpAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
            await Task.Delay(Interval, time, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Prescription details could not be derived; retried in a minute and before each export")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
