using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Dispensing;
using PharmacyRx.Storage.Retrieval;

namespace PharmacyRx.Host.Api;

/// <summary>A prescription as things stand: the as-received elements, the current status, corrections beside the values received, annotations and dispensings.</summary>
public sealed record PrescriptionView(
    string ReceiptId, long? PrescriptionNumber, string ReceivedAt, string? TransactionKind, string Status, string StatusOnReceipt, string Reason,
    string VerificationIndication, bool Dispensable, DeaElements? Elements, IReadOnlyList<PrescriptionView.Correction> Corrections,
    IReadOnlyList<PharmacyWorkStore.Annotation> Annotations, IReadOnlyList<PharmacyWorkStore.Dispensing> Dispensings, string? CancelledByReceiptId)
{
    /// <summary>A corrected field: what was received and what it was corrected to; the as-received record never changes.</summary>
    public sealed record Correction(string Field, string AsReceived, string Corrected, string Reason, string By, string At);
}

/// <summary>Builds <see cref="PrescriptionView"/>s from the archive and the pharmacist's records.</summary>
public sealed class PrescriptionViews(
    ArchiveQueries archive, PharmacyWorkStore work, PrescriptionSearch search, ScriptMessageReader reader)
{
    public async Task<PrescriptionView?> ViewAsync(Guid receiptId, CancellationToken cancellationToken)
    {
        if (await archive.FindAsync(receiptId.ToString("D"), cancellationToken) is not { } record || record.ReceiptId != receiptId.ToString("D"))
        {
            return null;
        }
        var message = reader.Reread(record).Message;
        var elements = message?.Elements;
        var annotations = await work.AnnotationsAsync(receiptId, cancellationToken);
        var dispensings = await work.DispensingsAsync(receiptId, cancellationToken);
        var facts = await work.FactsAsync(receiptId, cancellationToken);
        var status = Enum.Parse<PrescriptionStatus>(record.CurrentStatus);
        var corrections = annotations
            .Where(a => a.Type == nameof(AnnotationType.Correction))
            .Select(a => new PrescriptionView.Correction(
                a.Fields["field"],
                elements is null ? "" : Convert.ToString(PrescriptionApi.CorrectableField(a.Fields["field"])?.GetValue(elements), System.Globalization.CultureInfo.InvariantCulture) ?? "",
                a.Fields["value"], a.Fields["reason"], a.CreatedBy, a.CreatedAt))
            .ToArray();
        var dispensable = facts is { } f && DispensingRules.Blocker(f.Rules) is null;
        return new PrescriptionView(
            record.ReceiptId, await search.NumberAsync(receiptId, cancellationToken), record.ReceivedAt, record.TransactionKind, record.CurrentStatus, record.Status,
            record.CurrentReason, status.VerificationIndication(!message.IsNotControlledPrescription()), dispensable, elements, corrections, annotations, dispensings, record.CancelledByReceiptId);
    }
}
