using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Dispensing;
using PharmacyRx.Storage.Prescriptions;
using PharmacyRx.Storage.Verification;
using PharmacyRx.Core.Verification;

namespace PharmacyRx.Host.Prescriptions;

/// <summary>A prescription as things stand: the as-received elements, the current status, corrections beside the values received, annotations and dispensings.</summary>
public sealed record PrescriptionView(
    string ReceiptId, long? PrescriptionNumber, string ReceivedAt, string? TransactionKind, string Status, string StatusOnReceipt, string Reason,
    string VerificationIndication, bool Dispensable, DeaElements? Elements, IReadOnlyList<PrescriptionView.Correction> Corrections,
    IReadOnlyList<PharmacyWorkStore.Annotation> Annotations, IReadOnlyList<PharmacyWorkStore.Dispensing> Dispensings, string? CancelledByReceiptId)
{
    /// <summary>The 1306.05(a) elements found missing on receipt (1311.205(b)(9)); empty when none.</summary>
    public IReadOnlyList<string> MissingElements { get; init; } = [];

    /// <summary>The status on receipt, then each later status change with its reason (a CRL arrived, say).</summary>
    public IReadOnlyList<StatusStep> StatusHistory { get; init; } = [];

    /// <summary>The practitioner's (or intermediary's) signing certificate sent with the message, when signed.</summary>
    public SignerCertificate? Signer { get; init; }

    /// <summary>The transaction as a pharmacist reads it ("RxChangeResponse (Approved)"); the stored kind when unread.</summary>
    public string? TransactionName { get; init; }

    /// <summary>What cancelled or replaced this prescription ("CancelRx", "RxChangeResponse (Approved)"), when something did.</summary>
    public string? CancelledByTransaction { get; init; }

    /// <summary>The other messages of this prescription's conversation (its answers, cancellations, changes), in receipt order.</summary>
    public IReadOnlyList<ConversationEntry> Conversation { get; init; } = [];

    /// <summary>One message of the conversation: what it is, when it came, its status, and how it relates to this record.</summary>
    public sealed record ConversationEntry(string ReceiptId, string ReceivedAt, string Transaction, string Status, string Relation);

    /// <summary>The prescription number's refill history (1306.22(c)), for a NewRx.</summary>
    public PrescriptionSearch.RefillHistory? Refills { get; init; }

    /// <summary>One status the record held, from when, and why.</summary>
    public sealed record StatusStep(string At, string Status, string Reason);

    /// <summary>Subject, issuer and validity of the certificate that signed the message.</summary>
    public sealed record SignerCertificate(string Subject, string Issuer, string NotBefore, string NotAfter, string Thumbprint);

    /// <summary>A corrected field: what was received and what it was corrected to; the as-received record never changes.</summary>
    public sealed record Correction(string Field, string AsReceived, string Corrected, string Reason, string By, string At);
}

/// <summary>Builds <see cref="PrescriptionView"/>s from the archive and the pharmacist's records.</summary>
public sealed class PrescriptionViews(
    ArchiveQueries archive, PharmacyWorkStore work, PrescriptionSearch search, ScriptMessageReader reader, VerificationEventStore statusChanges)
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
                elements is null ? "" : Convert.ToString(AnnotationRules.CorrectableField(a.Fields["field"])?.GetValue(elements), System.Globalization.CultureInfo.InvariantCulture) ?? "",
                a.Fields["value"], a.Fields["reason"], a.CreatedBy, a.CreatedAt))
            .ToArray();
        var dispensable = facts is { } f && DispensingRules.Blocker(f.Rules) is null;
        var number = await search.NumberAsync(receiptId, cancellationToken);
        var conversation = (await archive.ConversationAsync(record, cancellationToken))
            .Select(other => (Other: other, Message: reader.Read(other.AsReceived).Message))
            .Select(x => new PrescriptionView.ConversationEntry(
                x.Other.ReceiptId, x.Other.ReceivedAt, x.Message?.Name() ?? x.Other.TransactionKind ?? "(not read)", x.Other.Status,
                Relation(record, x.Other, x.Message)))
            .ToArray();
        var history = (await statusChanges.HistoryAsync(receiptId, cancellationToken))
            .Select(change => new PrescriptionView.StatusStep(change.OccurredAt, change.Status, change.Reason));
        return new PrescriptionView(
            record.ReceiptId, number, record.ReceivedAt, record.TransactionKind, record.CurrentStatus, record.Status,
            record.CurrentReason, status.VerificationIndication(message), dispensable, elements, corrections, annotations, dispensings, record.CancelledByReceiptId)
        {
            MissingElements = record.MissingElements.Split(',', StringSplitOptions.RemoveEmptyEntries),
            StatusHistory = [new PrescriptionView.StatusStep(record.ReceivedAt, record.Status, record.Reason), .. history],
            Signer = message?.Header.Signature is { HasSignature: true, Certificates: [var signer, ..] } ? Describe(signer) : null,
            Refills = number is { } n ? await search.RefillHistoryAsync(n, cancellationToken) : null,
            TransactionName = message?.Name() ?? record.TransactionKind,
            CancelledByTransaction = record.CancelledByReceiptId is { } by ? conversation.FirstOrDefault(c => c.ReceiptId == by)?.Transaction ?? "CancelRx" : null,
            Conversation = conversation,
        };
    }

    // How another message of the conversation relates to this record, in a pharmacist's words.
    private static string Relation(ArchivedRecord record, ArchiveQueries.ConversationMessage other, ScriptMessage? message) =>
        other.CancelsReceiptId == record.ReceiptId ? (message.ReplacesOriginal() ? "replaces this prescription" : "cancels this prescription")
        : other.ReceiptId == record.CancelsReceiptId ? (record.TransactionKind == nameof(TransactionKind.RxChangeResponse) ? "the prescription this replaces" : "the prescription this cancels")
        : message is { Kind: TransactionKind.RxChangeResponse, Response: ScriptTransactions.Validated } ? "validates this prescription"
        : other.MessageId is { } id && id == record.RelatesToMessageId ? "the message this answers"
        : "same prescriber order number or answers this message";

    /// <summary>
    /// The signer's certificate as sent: checked by <see cref="CertificateGuard"/> before the platform parses it (it is
    /// the sender's bytes, whatever the record's status); null when it cannot be read.
    /// </summary>
    private static PrescriptionView.SignerCertificate? Describe(string base64)
    {
        var der = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, der, out var length) || CertificateGuard.Refusal(der.AsSpan(0, length), AlgorithmPolicy.Production) is not null)
        {
            return null;
        }
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(der.AsSpan(0, length));
            return new(certificate.Subject, certificate.Issuer, ReceiptSeal.FormatTimestamp(certificate.NotBefore.ToUniversalTime()),
                ReceiptSeal.FormatTimestamp(certificate.NotAfter.ToUniversalTime()), certificate.Thumbprint);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
