using PharmacyRx.Storage;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// A fault of the storage, never a verdict on a message: disk full, an I/O error, a read-only file system, a lock not
/// granted in time, a database connection lost or failed over. Nothing was archived; the door hands the message back.
/// </summary>
/// <param name="Name">What IT reads: the fault and, where there is one, the engine's code.</param>
/// <param name="RetryAfter">When to try again: a lock clears in a second, a full disk takes a person.</param>
public sealed record StorageFault(string Name, TimeSpan RetryAfter)
{
    // errno on Linux (the HResult .NET gives an unmapped error) and the Win32 codes in a Windows HResult's low word.
    private const int Enospc = 28, Eio = 5, Erofs = 30, Edquot = 122;
    private const int ErrorHandleDiskFull = 0x27, ErrorDiskFull = 0x70, ErrorWriteProtect = 0x13, ErrorCrc = 0x17;

    /// <summary>The free space of the data folder is below <see cref="FreeSpaceOptions"/>' hard threshold.</summary>
    public static StorageFault BelowHardThreshold(long freeBytes) =>
        new($"disk full: {freeBytes} bytes free in the data folder, below the hard threshold", TimeSpan.FromSeconds(60));

    /// <summary>
    /// This fault as IT should read it: SQLite reports a full disk met growing its WAL index as an I/O error, so below the
    /// hard threshold the fault is named a full disk, with the engine's words after it.
    /// </summary>
    public StorageFault Explained(FreeSpaceReading? reading) =>
        reading is { BelowHard: true } low && !Name.StartsWith("disk full", StringComparison.Ordinal)
            ? new($"{BelowHardThreshold(low.FreeBytes).Name} ({Name})", BelowHardThreshold(low.FreeBytes).RetryAfter)
            : this;

    /// <summary>The storage fault in <paramref name="exception"/> or its inner exceptions, or null when it is none.</summary>
    public static StorageFault? Of(Exception exception, ISqlDialect dialect)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is StorageFaultException known)
            {
                return known.Fault;
            }
            if (dialect.StorageFaultOf(current) is { } named)
            {
                return new(named, named.StartsWith("lock", StringComparison.Ordinal) ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(30));
            }
            if (current is IOException io && OfIo(io.HResult) is { } ioFault)
            {
                return new(ioFault, TimeSpan.FromSeconds(30));
            }
            if (current is AggregateException { InnerExceptions: [var only] })
            {
                return Of(only, dialect);
            }
        }
        return null;
    }

    private static string? OfIo(int hresult) => (OperatingSystem.IsWindows() ? hresult & 0xFFFF : hresult) switch
    {
        Enospc or Edquot when !OperatingSystem.IsWindows() => "disk full (ENOSPC)",
        Eio when !OperatingSystem.IsWindows() => "I/O error (EIO)",
        Erofs when !OperatingSystem.IsWindows() => "read-only file system (EROFS)",
        ErrorHandleDiskFull or ErrorDiskFull when OperatingSystem.IsWindows() => "disk full",
        ErrorWriteProtect when OperatingSystem.IsWindows() => "read-only file system",
        ErrorCrc when OperatingSystem.IsWindows() => "I/O error",
        _ => null,
    };
}
