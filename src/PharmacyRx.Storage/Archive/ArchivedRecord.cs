using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage.Archive;

/// <summary>An archived record as read back, with what later records say about it.</summary>
public sealed record ArchivedRecord : ArchiveColumns
{
    /// <summary>The CancelRx receipt that cancelled this prescription, if any.</summary>
    public string? CancelledByReceiptId { get; init; }

    /// <summary>
    /// Whether the prescription may be dispensed as things stand: a NewRx whose status on receipt allows it and
    /// that no CancelRx has cancelled.
    /// </summary>
    public bool IsDispensable => TransactionKind == nameof(Core.Receiving.TransactionKind.NewRx)
        && Enum.TryParse<PrescriptionStatus>(Status, out var status) && status.IsDispensableOnReceipt()
        && CancelledByReceiptId is null;
}
