namespace PharmacyRx.Host.Receiving;

/// <summary>
/// Thrown by <see cref="ReceiptPipeline"/> for a <see cref="StorageFault"/>: nothing was archived, and the door hands the
/// message back (503 with Retry-After, no ack, a retry, the file left in the inbox, a non-zero exit).
/// </summary>
public sealed class StorageFaultException : Exception
{
    public StorageFaultException(StorageFault fault, Exception? innerException = null)
        : base($"storage fault: {fault.Name}; nothing was archived", innerException) => Fault = fault;

    public StorageFault Fault { get; }
}
