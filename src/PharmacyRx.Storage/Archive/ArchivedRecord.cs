namespace PharmacyRx.Storage.Archive;

/// <summary>An archived record as read back, with what later records say about it.</summary>
public sealed record ArchivedRecord : ArchiveColumns
{
    /// <summary>The CancelRx receipt that cancelled this prescription, if any.</summary>
    public string? CancelledByReceiptId { get; init; }
}
