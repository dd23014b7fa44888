using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage.Archive;

/// <summary>A received message ready to archive: decided, sealed, with the exact bytes.</summary>
public sealed record ArchiveEntry
{
    public required Guid ReceiptId { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The entry point: bus, http, inbox, cli.</summary>
    public required string Source { get; init; }

    /// <summary>Who to record as the actor of the receipt in the audit trail.</summary>
    public required string Actor { get; init; }

    /// <summary>
    /// Unique per (sender, MessageID, bytes) for a readable message, per (sender, bytes) otherwise: the same bytes
    /// again from the same sender are a duplicate.
    /// </summary>
    public required string DedupeKey { get; init; }

    /// <summary>
    /// For a readable message, the start every dedupe key of the same (sender, MessageID) shares, ending in a newline;
    /// null otherwise. Different bytes under a seen (sender, MessageID) are not written until the caller re-decides
    /// them (<see cref="ReusesReceiptId"/>).
    /// </summary>
    public string? ReuseScope { get; init; }

    /// <summary>Set when the caller knows the MessageID was first archived as this record and re-decided the entry.</summary>
    public Guid? ReusesReceiptId { get; init; }

    public required string MessageId { get; init; }
    public required ScriptMessage? Message { get; init; }
    public required ReceiptDecision Decision { get; init; }
    public Guid? CancelsReceiptId { get; init; }
    public required ReadOnlyMemory<byte> AsReceived { get; init; }
    public required string AsReceivedSha256 { get; init; }
    public required byte[] ReceiptSignature { get; init; }
    public required string SignerThumbprint { get; init; }

    /// <summary>
    /// A NewRx's search keys, worked out by the caller so the single writer does not; derived from <see cref="Message"/>
    /// when absent.
    /// </summary>
    public Core.Prescriptions.PrescriptionKeys? SearchKeys { get; init; }

    /// <summary>
    /// A NewRx's or CancelRx's binding key (<see cref="ReceiptDecision.CancelBindingKey"/>), worked out by the caller so
    /// the single writer does not; derived from <see cref="Source"/> and <see cref="Message"/> when absent.
    /// </summary>
    public string? CancelBinding { get; init; }
}

/// <summary>
/// What archiving produced: the new record, or — for a message already archived — the first record's outcome.
/// </summary>
public sealed record ArchiveResult(
    Guid ReceiptId, string MessageId, PrescriptionStatus Status, string ReasonCode, string Reason, bool IsDuplicate)
{
    /// <summary>
    /// Set (and nothing written) when different bytes came under a (sender, MessageID) already archived as this record:
    /// the caller re-decides the entry for review and appends it again with <see cref="ArchiveEntry.ReusesReceiptId"/>.
    /// </summary>
    public Guid? MessageIdFirstArchivedAs { get; init; }

    /// <summary>The message's <c>Header/From</c> and <c>Header/To</c> as read ("" when unread): whom a SCRIPT reply goes to, and from.</summary>
    public string SenderId { get; init; } = "";

    /// <inheritdoc cref="SenderId"/>
    public string ReceiverId { get; init; } = "";
}
