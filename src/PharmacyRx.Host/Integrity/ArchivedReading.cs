using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Archive;

namespace PharmacyRx.Host.Integrity;

/// <summary>
/// Reads an archived record's bytes the way the pipeline read them on receipt, so everything derived then (status,
/// columns, the signed elements) can be derived again and compared.
/// </summary>
public static class ArchivedReading
{
    public static ReadResult Reread(this ScriptMessageReader reader, ArchivedRecord record)
    {
        // Archived because processing failed, because the bus envelope around it could not be read, or kept only in part
        // for its size, not because of what was read: the pipeline derived nothing from the bytes.
        if (record.ReasonCode is nameof(RejectionCode.ProcessingFailed) or nameof(RejectionCode.UnreadableEnvelope))
        {
            return ReadResult.Rejected(Enum.Parse<RejectionCode>(record.ReasonCode), record.Reason);
        }
        if (record.ReasonCode == nameof(RejectionCode.TooLarge) && record.Reason.StartsWith(ReceiptDecision.TooLargeAtTheDoor, StringComparison.Ordinal))
        {
            return ReadResult.Rejected(RejectionCode.TooLarge, record.Reason);
        }
        if (record.ReasonCode == nameof(RejectionCode.UnsupportedTransaction))
        {
            // Archived when its transaction was not read (an RxRenewalResponse, a Status, … before this service read
            // them): nothing was derived from the bytes then, and the record stands as it was decided.
            return ReadResult.Rejected(RejectionCode.UnsupportedTransaction, record.Reason, record.MessageId ?? "");
        }
        var read = reader.Read(record.AsReceived);
        return read is { Code: RejectionCode.DuplicateElement } && record.ReasonCode != nameof(RejectionCode.DuplicateElement)
            // Archived before a repeated element was refused: it was read with the first occurrence standing.
            ? reader.ReadAsFirstOccurrenceWins(record.AsReceived)
            : read;
    }
}
