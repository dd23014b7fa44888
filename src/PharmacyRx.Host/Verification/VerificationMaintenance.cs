namespace PharmacyRx.Host.Verification;

/// <summary>
/// The scheduled part of verification in <c>serve</c>: at start and every <see cref="VerificationOptions.RecheckInterval"/>,
/// reload trust and CRLs, fetch again CRLs near their nextUpdate, and re-check pending records.
/// </summary>
public sealed partial class VerificationMaintenance(
    SignatureVerification verification, PendingRecheck recheck, VerificationOptions options, TimeProvider time, ILogger<VerificationMaintenance> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A failed round is retried at the next tick; the pending records stay pending meanwhile.
        await PeriodicWork.RunAsync(options.RecheckInterval, time, RunOnceAsync, ex => LogRoundFailed(logger, ex), stoppingToken);
    }

    /// <summary>One round: reload, refresh, re-check.</summary>
    public async Task<PendingRecheck.Summary> RunOnceAsync(CancellationToken cancellationToken)
    {
        await verification.ReloadAsync(cancellationToken);
        await verification.RefreshExpiringAsync(cancellationToken);
        return await recheck.RunAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Verification maintenance round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
