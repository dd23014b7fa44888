namespace PharmacyRx.Core.Receiving;

/// <summary>
/// The status a received message is archived with (see DESIGN.md, "Status on receipt").
/// Stored by name, so the names are part of the database contract.
/// </summary>
public enum PrescriptionStatus
{
    /// <summary>Practitioner signature valid, chained to a trusted CA and not revoked (1311.210(c)).</summary>
    VerifiedOnReceipt,

    /// <summary>A trusted intermediary signed the record before transmission (1311.210(a)(1)).</summary>
    IntermediarySigned,

    /// <summary>Signature indicator present; the pharmacy signed the record on receipt (1311.210(a)(2)).</summary>
    ReceiptSigned,

    /// <summary>Indicator absent or a 1306.05(a) element missing: shown to the pharmacist (1311.205(b)(6)(ii), (b)(9)).</summary>
    NeedsPharmacistReview,

    /// <summary>A practitioner signature awaits a current CRL; never silently accepted (1311.210(c)(2)).</summary>
    PendingRevocationCheck,

    /// <summary>Altered content, bad signature, or an untrusted, expired or revoked certificate (1306.08(d)).</summary>
    Invalid,

    /// <summary>Not parseable or not a supported transaction; the raw bytes and the reason are kept.</summary>
    Rejected,
}

/// <summary>What each status allows, in one place.</summary>
public static class PrescriptionStatusRules
{
    /// <summary>
    /// Whether a prescription with this status may be dispensed as it stands. <see cref="PrescriptionStatus.NeedsPharmacistReview"/>
    /// is dispensable only after the pharmacist's review, which is recorded separately, so it is not dispensable here.
    /// </summary>
    public static bool IsDispensableOnReceipt(this PrescriptionStatus status) => status is
        PrescriptionStatus.VerifiedOnReceipt or PrescriptionStatus.IntermediarySigned or PrescriptionStatus.ReceiptSigned;

    /// <summary>
    /// Whether the receipt failed: the message was not read, or its signature or certificate did not hold. The record
    /// is kept all the same; the sender gets an Error and the audit event records a failure.
    /// </summary>
    public static bool IsFailure(this PrescriptionStatus status) => status is PrescriptionStatus.Rejected or PrescriptionStatus.Invalid;

    /// <summary>
    /// The indication kept with the record of whether and how it was verified on receipt (1311.210(c)(3)),
    /// as a pharmacist reads it. <paramref name="controlled"/> is false for a NewRx whose drug is not a controlled
    /// substance (no <c>DEASchedule</c>): the indication says so plainly, since the EPCS rules did not apply to it.
    /// </summary>
    public static string VerificationIndication(this PrescriptionStatus status, bool controlled) => (controlled, status) switch
    {
        (true, _) or (_, PrescriptionStatus.Rejected) => VerificationIndication(status),
        (false, PrescriptionStatus.ReceiptSigned) =>
            "Not a controlled substance: no practitioner signature is required (21 CFR 1311 applies to controlled substances); signed by this pharmacy on receipt",
        _ => $"Not a controlled substance. {VerificationIndication(status)}",
    };

    /// <summary>
    /// The indication for a record as read: a prescription's says whether its drug is controlled; an answer that is not a
    /// prescription (a denial, a validated change, Status, Error, Verify) says so and that nothing is to be dispensed by it.
    /// </summary>
    public static string VerificationIndication(this PrescriptionStatus status, ScriptMessage? message) =>
        message is { Kind: not (TransactionKind.NewRx or TransactionKind.CancelRx) } answer && !answer.IsPrescription() && status == PrescriptionStatus.ReceiptSigned
            ? $"Not a prescription ({answer.Name()}): nothing to dispense by it; signed by this pharmacy on receipt (1311.210(a)(2))"
            : status.VerificationIndication(!message.IsNotControlledPrescription());

    /// <summary>Whether a record's message is a prescription (<see cref="ScriptTransactions.IsPrescription"/>) for a drug that is not a controlled substance; false when it was not read.</summary>
    public static bool IsNotControlledPrescription(this ScriptMessage? message) =>
        message.IsPrescription() && !message!.Elements.IsControlled;

    /// <summary>
    /// The indication for a controlled-substance prescription or a record that is not a NewRx; for a NewRx use the
    /// overload that says whether its drug is controlled.
    /// </summary>
    public static string VerificationIndication(this PrescriptionStatus status) => status switch
    {
        PrescriptionStatus.VerifiedOnReceipt => "Verified on receipt: practitioner's digital signature and certificate checked (1311.210(c))",
        PrescriptionStatus.IntermediarySigned => "Signed by a trusted intermediary before transmission (1311.210(a)(1))",
        PrescriptionStatus.ReceiptSigned => "Sender indicated the practitioner signed; signed by this pharmacy on receipt (1311.210(a)(2))",
        PrescriptionStatus.NeedsPharmacistReview => "NOT verified: the pharmacist must review this prescription before dispensing",
        PrescriptionStatus.PendingRevocationCheck => "NOT yet verified: practitioner signature awaiting its revocation check",
        PrescriptionStatus.Invalid => "FAILED verification: do not dispense",
        PrescriptionStatus.Rejected => "Not readable as a supported SCRIPT transaction: archived as received",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
