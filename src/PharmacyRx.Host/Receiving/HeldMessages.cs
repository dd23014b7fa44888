namespace PharmacyRx.Host.Receiving;

/// <summary>
/// Messages a door holds unarchived because not even their Rejected record could be written, for a fault that is not a
/// <see cref="StorageFault"/> (those are <see cref="IngestRefusals"/>'): retried, never dead-lettered, and an alarm while
/// any is held (<c>/health/ready</c> Unhealthy, the <c>pharmacyrx.receipts.held</c> gauge, an error in the log).
/// </summary>
public sealed partial class HeldMessages(ILogger<HeldMessages> logger)
{
    private readonly ILogger _logger = logger;
    private long _count;

    /// <summary>How many messages are held unarchived now.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Starts holding a message that met <paramref name="fault"/>; disposing the hold releases it.</summary>
    public IDisposable Hold(ReceiptSource source, Exception fault)
    {
        var now = Interlocked.Increment(ref _count);
        // The door and the fault's type only: never the message, its sender's name or the fault's text.
        LogHeld(_logger, source.Door, fault.GetType().Name, now);
        return new Release(this);
    }

    private sealed class Release(HeldMessages held) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                LogReleased(held._logger, Interlocked.Decrement(ref held._count));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "A message from the {Door} door cannot be archived, not even as Rejected: {Fault}; held unarchived and retried ({Held} held)")]
    private static partial void LogHeld(ILogger logger, string door, string fault, long held);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A held message was archived or handed back; {Held} still held")]
    private static partial void LogReleased(ILogger logger, long held);
}
