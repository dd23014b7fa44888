using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Prescriptions;

namespace PharmacyRx.Storage.Archive;

/// <summary>
/// What the archive writer inserts for one entry — the archive row's values, its coverage hash, the NewRx's search row
/// and the receipt's audit events — worked out on the caller's thread before the entry is queued, so the single writer
/// spends its time on what only it can do: the lookup, the inserts and the chain.
/// </summary>
internal sealed class PreparedRow
{
    /// <summary>The archive's columns as the writer inserts them (the order of <see cref="Archive"/>).</summary>
    public static readonly string[] ArchiveColumnNames =
    [
        "receipt_id", "received_at", "source", "dedupe_key", "message_id", "relates_to_message_id", "prescriber_order_number",
        "transaction_kind", "status", "reason_code", "reason", "missing_elements", "dea_schedule", "prescriber_dea_number",
        "prescriber_name", "patient_name", "drug_description", "written_date", "cancels_receipt_id",
        "as_received", "as_received_sha256", "receipt_signature", "signer_thumbprint", "cancel_binding",
    ];

    /// <summary>The search row's columns: the prescription number the insert returns, then those of <see cref="Search"/>.</summary>
    public static readonly string[] SearchColumnNames =
    [
        "prescription_number", "receipt_id", "received_at", "patient_key", "prescriber_key", "drug_key", "dea_schedule",
        "written_date", "earliest_fill_date", "quantity", "quantity_unit", "refills_authorized",
    ];

    public required string ReceiptId { get; init; }

    /// <summary>The archive row's values, in <see cref="ArchiveColumnNames"/> order.</summary>
    public required object?[] Archive { get; init; }

    /// <summary>The archive row's coverage hash; null when the writer had not yet learned the hashed columns.</summary>
    public string? ArchiveHash { get; init; }

    /// <summary>A NewRx's search row, without the prescription number (<see cref="SearchColumnNames"/> from the second).</summary>
    public object?[]? Search { get; init; }

    /// <summary>The search row's hashed text after its prescription number (<see cref="HashedColumns.SearchTail"/>), or null.</summary>
    public string? SearchTail { get; init; }

    /// <summary>The receipt's audit events, appended to the chain by the writer if the row is written.</summary>
    public required IReadOnlyList<AuditEvent> Events { get; init; }

    /// <summary>
    /// How the writer finds, in the same transaction, the other half of a cancellation whose CancelRx came first: for a
    /// NewRx its MessageID and binding key (a CancelRx waiting for it); for a CancelRx that found no NewRx, the
    /// MessageID it names and its binding key (a NewRx written since the pipeline looked). Null otherwise.
    /// </summary>
    public (string MessageId, string Binding)? WaitingCancel { get; init; }

    public static PreparedRow From(ArchiveEntry entry, HashedColumns? hashed)
    {
        var row = ArchiveColumns.From(entry);
        object?[] archive =
        [
            row.ReceiptId, row.ReceivedAt, row.Source, row.DedupeKey, row.MessageId, row.RelatesToMessageId, row.PrescriberOrderNumber,
            row.TransactionKind, row.Status, row.ReasonCode, row.Reason, row.MissingElements, row.DeaSchedule, row.PrescriberDeaNumber,
            row.PrescriberName, row.PatientName, row.DrugDescription, row.WrittenDate, row.CancelsReceiptId,
            row.AsReceived, row.AsReceivedSha256, row.ReceiptSignature, row.SignerThumbprint, row.CancelBinding,
        ];
        object?[]? search = null;
        if (entry.Message.IsPrescription() && entry.Message is { Elements: var elements })
        {
            var keys = entry.SearchKeys ?? PrescriptionKeys.From(elements);
            search =
            [
                row.ReceiptId, row.ReceivedAt, keys.Patient, keys.Prescriber, keys.Drug, elements.DeaScheduleCode, elements.WrittenDate,
                elements.EarliestFillDate, elements.QuantityValue, elements.QuantityUnit, elements.NumberOfRefills,
            ];
        }

        var decision = entry.Decision;
        var received = new AuditEvent(
            entry.ReceivedAt, AuditEventTypes.PrescriptionReceived, entry.Actor,
            decision.Status.IsFailure() ? AuditOutcome.Failure : AuditOutcome.Success, row.ReceiptId,
            $"source={entry.Source}; messageId={entry.MessageId}; kind={row.TransactionKind}; status={decision.Status}; reasonCode={decision.ReasonCode}");
        (string, string)? waitingCancel = (entry.Message?.Kind, row.CancelBinding) switch
        {
            (TransactionKind.NewRx, { } binding) when row.MessageId is { } messageId => (messageId, binding),
            (TransactionKind.CancelRx, { } binding) when row.RelatesToMessageId is { } relatesTo
                && decision.ReasonCode == ReceiptDecision.CancelTargetNotFound => (relatesTo, binding),
            _ => null,
        };
        return new PreparedRow
        {
            ReceiptId = row.ReceiptId,
            WaitingCancel = waitingCancel,
            Archive = archive,
            ArchiveHash = hashed?.HashArchive(archive),
            Search = search,
            SearchTail = search is null ? null : hashed?.SearchTail(search),
            Events = entry.CancelsReceiptId is { } cancelled
                ?
                [
                    received,
                    new AuditEvent(
                        entry.ReceivedAt, AuditEventTypes.PrescriptionCancelled, entry.Actor, AuditOutcome.Success, cancelled.ToString("D"),
                        entry.Message.ReplacesOriginal()
                            ? $"replaced by {entry.Message!.Name()} receipt {row.ReceiptId}; no longer dispensable"
                            : $"cancelled by CancelRx receipt {row.ReceiptId}; no longer dispensable"),
                ]
                : [received],
        };
    }

    /// <summary>
    /// The event of a CancelRx that came before its NewRx binding to it, written in the transaction that brings the
    /// second of the two (DESIGN.md, "Trust boundaries": same sender, prescriber and patient, by the binding key).
    /// </summary>
    public static AuditEvent CancelledBeforeArrival(ArchiveEntry entry, string newRx, string cancelRx) => new(
        entry.ReceivedAt, AuditEventTypes.PrescriptionCancelled, entry.Actor, AuditOutcome.Success, newRx,
        $"cancelled before it arrived by CancelRx receipt {cancelRx}; no longer dispensable");
}
