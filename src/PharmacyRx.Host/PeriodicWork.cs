namespace PharmacyRx.Host;

/// <summary>
/// The one shape of the service's background rounds (clock check, CRL re-check, inbox scan, compliance report): a round
/// now, then one at every tick. A round that throws is reported and the next tick tries again, so no round stops the
/// host; only the host's own stopping ends the loop.
/// </summary>
internal static class PeriodicWork
{
    public static async Task RunAsync(
        TimeSpan interval, TimeProvider time, Func<CancellationToken, Task> round, Action<Exception> failed, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                await round(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                failed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
