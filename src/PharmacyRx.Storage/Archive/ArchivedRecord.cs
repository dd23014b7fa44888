using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage.Archive;

/// <summary>An archived record as read back, with what later records say about it.</summary>
public sealed record ArchivedRecord : ArchiveColumns
{
    /// <summary>The CancelRx receipt that cancelled this prescription, if any.</summary>
    public string? CancelledByReceiptId { get; init; }

    /// <summary>The status set by the newest status change after receipt, if any (a resolved revocation check).</summary>
    public string? ChangedStatus { get; init; }

    public string? ChangedReasonCode { get; init; }

    public string? ChangedReason { get; init; }

    public string? StatusChangedAt { get; init; }

    /// <summary>The status as things stand: the newest status change, else the status on receipt.</summary>
    public string CurrentStatus => ChangedStatus ?? Status;

    public string CurrentReasonCode => ChangedStatus is null ? ReasonCode : ChangedReasonCode ?? "";

    public string CurrentReason => ChangedStatus is null ? Reason : ChangedReason ?? "";

}
