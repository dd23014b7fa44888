using System.Globalization;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Prescriptions;

namespace PharmacyRx.Host.WebConsole;

/// <summary>Stored values as a pharmacist reads them: statuses in words, schedules, units, times. Display only; no rule lives here.</summary>
public static class Words
{
    public static string Status(string status) => Enum.TryParse<PrescriptionStatus>(status, out var parsed)
        ? parsed switch
        {
            PrescriptionStatus.VerifiedOnReceipt => "Verified on receipt",
            PrescriptionStatus.IntermediarySigned => "Signed by a trusted intermediary",
            PrescriptionStatus.ReceiptSigned => "Signed by the pharmacy on receipt",
            PrescriptionStatus.NeedsPharmacistReview => "Needs pharmacist review",
            PrescriptionStatus.PendingRevocationCheck => "Waiting for revocation check",
            PrescriptionStatus.Invalid => "Failed verification",
            PrescriptionStatus.Rejected => "Rejected: not readable",
            _ => status,
        }
        : status;

    public static string Group(string group) => group switch
    {
        "NeedsReview" => "Needs review",
        "PendingRevocationCheck" => "Pending revocation check",
        "Invalid" => "Invalid",
        "Rejected" => "Rejected",
        "NotYetDispensed" => "Received, not yet dispensed",
        _ => group,
    };

    public static string Schedule(string code) => NcpdpCodes.Schedule(code);

    /// <summary>A value with its unit code decoded: "5 mg", "20 tablet".</summary>
    public static string Amount(string value, string unitCode) =>
        string.Join(' ', new[] { value, NcpdpCodes.Describe(unitCode) }.Where(part => part.Length > 0));

    public static string OrNone(string? value) => string.IsNullOrWhiteSpace(value) ? "—" : value;

    /// <summary>A field or element name as a label: "quantityDispensed" → "Quantity dispensed".</summary>
    public static string Label(string name)
    {
        var words = System.Text.RegularExpressions.Regex.Replace(name, "(?<=[a-z0-9])(?=[A-Z])", " ").ToLowerInvariant();
        return words.Length == 0 ? words : char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary>Text whose words may be NCPDP codes ("20 C48542"), each code put in words ("20 tablet").</summary>
    public static string Decode(string text) => string.Join(' ', text.Split(' ').Select(NcpdpCodes.Describe));

    /// <summary>The transaction a record came in as, in words; an unreadable message has none.</summary>
    public static string Kind(string? transactionKind) => transactionKind switch
    {
        nameof(TransactionKind.NewRx) => "New prescription",
        nameof(TransactionKind.CancelRx) => "Cancellation",
        nameof(TransactionKind.RxRenewalResponse) => "Renewal",
        nameof(TransactionKind.RxChangeResponse) => "Change",
        null or "" => "Unreadable message",
        var other => other,
    };

    /// <summary>
    /// A status as the queue and search name it: a Rejected record is not always unreadable (a From mismatch, not a
    /// prescription), so it reads "Rejected" and its reason says why.
    /// </summary>
    public static string QueueStatus(string status) => status == nameof(PrescriptionStatus.Rejected) ? "Rejected" : Status(status);

    /// <summary>
    /// A prescription's standing in words: what ended it (cancelled, replaced, voided, transferred), fully dispensed,
    /// else its status (<see cref="Storage.Prescriptions.Standing"/>).
    /// </summary>
    public static string Standing(string standing, string status) => standing switch
    {
        Storage.Prescriptions.Standing.Cancelled => "Cancelled by the prescriber",
        Storage.Prescriptions.Standing.Replaced => "Replaced by a change",
        Storage.Prescriptions.Standing.Voided => "Voided",
        Storage.Prescriptions.Standing.TransferredOut => "Transferred out",
        Storage.Prescriptions.Standing.FullyDispensed => "Fully dispensed",
        Storage.Prescriptions.Standing.Reviewed => "Reviewed by a pharmacist: may be dispensed",
        _ => QueueStatus(status),
    };
}
