using System.Runtime.InteropServices;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage.Archive;

/// <summary>
/// The searchable and displayable columns of an archived record, derived from the as-received message. Written on
/// insert and recomputed by verification: a column that no longer matches its as-received record was altered.
/// </summary>
public record ArchiveColumns
{
    public string ReceiptId { get; init; } = "";
    public string ReceivedAt { get; init; } = "";
    public string Source { get; init; } = "";
    public string DedupeKey { get; init; } = "";
    public string? MessageId { get; init; }
    public string? RelatesToMessageId { get; init; }
    public string? PrescriberOrderNumber { get; init; }
    public string? TransactionKind { get; init; }
    public string Status { get; init; } = "";
    public string ReasonCode { get; init; } = "";
    public string Reason { get; init; } = "";
    public string MissingElements { get; init; } = "";
    public string DeaSchedule { get; init; } = "";
    public string PrescriberDeaNumber { get; init; } = "";
    public string PrescriberName { get; init; } = "";
    public string PatientName { get; init; } = "";
    public string DrugDescription { get; init; } = "";
    public string WrittenDate { get; init; } = "";
    public string? CancelsReceiptId { get; init; }
    public byte[] AsReceived { get; init; } = [];
    public string AsReceivedSha256 { get; init; } = "";
    public byte[] ReceiptSignature { get; init; } = [];
    public string SignerThumbprint { get; init; } = "";

    /// <summary>Links a CancelRx that arrived first to its NewRx (<see cref="ReceiptDecision.CancelBindingKey"/>).</summary>
    public string? CancelBinding { get; init; }

    public static ArchiveColumns From(ArchiveEntry entry)
    {
        var message = entry.Message;
        var elements = message?.Elements ?? new DeaElements();
        return new ArchiveColumns
        {
            ReceiptId = entry.ReceiptId.ToString("D"),
            ReceivedAt = ReceiptSeal.FormatTimestamp(entry.ReceivedAt),
            Source = entry.Source,
            DedupeKey = entry.DedupeKey,
            MessageId = NullIfEmpty(entry.MessageId),
            RelatesToMessageId = NullIfEmpty(message?.Header.RelatesToMessageId),
            PrescriberOrderNumber = NullIfEmpty(message?.Header.PrescriberOrderNumber),
            TransactionKind = message?.Kind.ToString(),
            Status = entry.Decision.Status.ToString(),
            ReasonCode = entry.Decision.ReasonCode,
            Reason = entry.Decision.Reason,
            MissingElements = string.Join(',', entry.Decision.MissingElements),
            DeaSchedule = elements.DeaScheduleCode,
            PrescriberDeaNumber = elements.PrescriberDeaNumber,
            PrescriberName = elements.PrescriberDisplayName,
            PatientName = elements.PatientDisplayName,
            DrugDescription = elements.DrugDescription,
            WrittenDate = elements.WrittenDate,
            CancelsReceiptId = entry.CancelsReceiptId?.ToString("D"),
            // The pipeline hands in whole arrays; copy only when given a slice.
            AsReceived = MemoryMarshal.TryGetArray(entry.AsReceived, out var whole) && whole.Offset == 0 && whole.Count == whole.Array!.Length
                ? whole.Array
                : entry.AsReceived.ToArray(),
            AsReceivedSha256 = entry.AsReceivedSha256,
            ReceiptSignature = entry.ReceiptSignature,
            SignerThumbprint = entry.SignerThumbprint,
            CancelBinding = entry.CancelBinding ?? ReceiptDecision.CancelBindingKey(entry.Source, message),
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
