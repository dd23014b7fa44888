namespace PharmacyRx.Core.Receiving;

/// <summary>
/// The status a received message is archived with and why: a pure function of what was read, so every entry point
/// decides the same way (DESIGN.md, "Status on receipt"). <see cref="ReasonCode"/> is stable text for machines and
/// logs; <see cref="Reason"/> is for the pharmacist and the sender and may name elements, never their values.
/// </summary>
public sealed record ReceiptDecision(PrescriptionStatus Status, string ReasonCode, string Reason, IReadOnlyList<string> MissingElements)
{
    public const string SignatureIndicatorAbsent = "SignatureIndicatorAbsent";
    public const string MissingRequiredElements = "MissingRequiredElements";
    public const string PendingVerification = "PendingVerification";
    public const string CancelTargetNotFound = "CancelTargetNotFound";
    public const string CancelNotBinding = "CancelNotBinding";
    public const string MessageIdReused = "MessageIdReused";
    public const string FromMismatch = "FromMismatch";
    public const string NotControlled = "NotControlled";
    public const string NotAPrescription = "NotAPrescription";
    public const string ResponseNotRecognised = "ResponseNotRecognised";
    public const string ChangeNotBinding = "ChangeNotBinding";

    // 1311.205(b)(6)(ii): without the indication of signing the pharmacist must check that the practitioner signed.
    private const string IndicatorAbsentReason =
        "DigitalSignatureIndicator is absent or false: the pharmacist must verify that the practitioner signed (1311.205(b)(6)(ii))";

    /// <summary>How a body refused at the door for its size begins its reason; the record keeps only its first bytes.</summary>
    public const string TooLargeAtTheDoor = "body over the accepted size: ";

    /// <summary>
    /// True for a decision that depended on more than the record's own bytes (the sender, what the archive held, or a
    /// body kept only in part), so that <c>verify</c> cannot re-derive it and relies on the receipt seal over the status
    /// and reason code instead.
    /// </summary>
    public static bool DependsOnReceiptContext(string reasonCode, string reason) =>
        reasonCode is MessageIdReused or FromMismatch or CancelNotBinding or CancelTargetNotFound or ChangeNotBinding
        || IsTooLargeAtTheDoor(reasonCode, reason);

    /// <summary>True for a body refused at the size cap and kept only in part (<see cref="TooLarge"/>).</summary>
    public static bool IsTooLargeAtTheDoor(string reasonCode, string reason) =>
        reasonCode == nameof(RejectionCode.TooLarge) && reason.StartsWith(TooLargeAtTheDoor, StringComparison.Ordinal);

    public static ReceiptDecision Decide(ReadResult read)
    {
        if (read.Message is not { } message)
        {
            return new(PrescriptionStatus.Rejected, read.Code!.Value.ToString(), read.Reason, []);
        }
        if (message.Kind is TransactionKind.CancelRx)
        {
            // A CancelRx is not a prescription to verify; the pharmacy seals it on receipt like any record.
            return new(PrescriptionStatus.ReceiptSigned, "", "", []);
        }
        if (message.HasUnrecognisedResponse())
        {
            // An answer whose Response is none SCRIPT defines cannot be taken for an approval or a denial: the pharmacist reads it.
            return new(PrescriptionStatus.NeedsPharmacistReview, ResponseNotRecognised,
                $"{message.Kind} without a Response this service recognises: not taken as a prescription; the pharmacist decides", []);
        }
        if (!message.IsPrescription())
        {
            // A denial, a validated change, a CancelRxResponse, Status, Error or Verify: part of a prescription's conversation,
            // sealed on receipt like any record (1311.210(a)(2)); nothing becomes dispensable by it.
            return new(PrescriptionStatus.ReceiptSigned, NotAPrescription,
                $"{message.Name()}: not a prescription; sealed on receipt, nothing becomes dispensable by it", []);
        }

        var missing = SignedElements.MissingRequired(message.Elements);
        var signature = message.Header.Signature;
        if (!message.Elements.IsControlled && !signature.HasSignature)
        {
            // Part 1311 subpart C governs electronic prescriptions for controlled substances (1311.200(a)): for any other
            // drug there is no signature indication or 1306.05(a) element to check. The pharmacy still seals the record.
            return new(PrescriptionStatus.ReceiptSigned, NotControlled,
                "not a controlled substance (no DEASchedule): sealed on receipt; the EPCS signature checks do not apply", []);
        }
        if (signature.HasSignature)
        {
            // A practitioner's signature is verified whether or not the drug is controlled: a bad one is still a failure.
            return new(
                PrescriptionStatus.PendingRevocationCheck,
                PendingVerification,
                "practitioner signature archived as received; awaiting signature and revocation checks (1311.210(c))",
                missing);
        }
        if (signature.Indicator is not true)
        {
            return new(
                PrescriptionStatus.NeedsPharmacistReview,
                SignatureIndicatorAbsent,
                IndicatorAbsentReason
                    + (missing.Count > 0 ? $"; missing 1306.05(a) elements: {string.Join(", ", missing)}" : ""),
                missing);
        }
        if (missing.Count > 0)
        {
            return new(
                PrescriptionStatus.NeedsPharmacistReview,
                MissingRequiredElements,
                $"missing 1306.05(a) elements: {string.Join(", ", missing)} (1311.205(b)(9))",
                missing);
        }
        return new(PrescriptionStatus.ReceiptSigned, "", "", []);
    }

    /// <summary>
    /// Whether <paramref name="status"/>, <paramref name="reasonCode"/> and <paramref name="reason"/> are what a record
    /// received before non-controlled prescriptions were sealed on receipt was decided: a NewRx for a drug that is not
    /// controlled, without signature or indicator, went to the pharmacist. Such a record is unaltered, not mis-decided.
    /// </summary>
    public static bool IsEarlierNotControlledDecision(ReadResult read, string status, string reasonCode, string reason) =>
        read.Message.IsNotControlledPrescription()
        && status == nameof(PrescriptionStatus.NeedsPharmacistReview) && reasonCode == SignatureIndicatorAbsent && reason == IndicatorAbsentReason;

    /// <summary>
    /// The decision once a signature has been checked (1311.210(c)). A verified signature on a prescription that
    /// lacks a 1306.05(a) element still goes to the pharmacist (1311.205(b)(9)); a failed or pending one stands as is.
    /// </summary>
    public ReceiptDecision WithVerification(Verification.VerificationVerdict verdict)
    {
        var verified = verdict.Status is PrescriptionStatus.VerifiedOnReceipt or PrescriptionStatus.IntermediarySigned;
        if (verified && MissingElements.Count > 0)
        {
            return new(
                PrescriptionStatus.NeedsPharmacistReview,
                MissingRequiredElements,
                $"signature verified ({verdict.Status}); missing 1306.05(a) elements: {string.Join(", ", MissingElements)} (1311.205(b)(9))",
                MissingElements);
        }
        return new(verdict.Status, verdict.ReasonCode, verdict.Reason, MissingElements);
    }

    /// <summary>
    /// An approved change that names a prescription it does not bind to (another sender, prescriber or patient): the
    /// original is not replaced, and the change goes to the pharmacist, so neither is filled twice unnoticed.
    /// </summary>
    public ReceiptDecision ChangeWithoutBinding(Guid original, IReadOnlyList<string> mismatches) =>
        ForReview(ChangeNotBinding, $"this {TransactionKind.RxChangeResponse} does not match prescription {original:D} in: {string.Join(", ", mismatches)}; the original was not replaced");

    /// <summary>A CancelRx whose prescription is not in the archive goes to the pharmacist rather than being lost.</summary>
    public static ReceiptDecision CancelWithoutTarget() => new(
        PrescriptionStatus.NeedsPharmacistReview,
        CancelTargetNotFound,
        "no archived NewRx from this sender matches this CancelRx's RelatesToMessageID or PrescriberOrderNumber; it cancels its NewRx if that arrives later",
        []);

    /// <summary>
    /// A body over the accepted size, kept only in part (DESIGN.md, "Trust boundaries": a sender cannot fill the disk):
    /// its length and the SHA-256 of the whole body are in the reason, and its first bytes are archived.
    /// </summary>
    public static ReceiptDecision TooLarge(long length, string sha256, int kept, long limit) => new(
        PrescriptionStatus.Rejected,
        nameof(RejectionCode.TooLarge),
        $"{TooLargeAtTheDoor}{length} bytes (the limit is {limit}); SHA-256 of the whole body {sha256}; only its first {kept} bytes are kept",
        []);

    /// <summary>
    /// Sends a decision to the pharmacist for a reason found beside the message (its sender, what the archive held).
    /// A failed decision (Invalid, Rejected) stands: review would not make it dispensable.
    /// </summary>
    public ReceiptDecision ForReview(string reasonCode, string reason) =>
        Status.IsFailure()
            ? this
            : new(PrescriptionStatus.NeedsPharmacistReview, reasonCode, Reason.Length > 0 ? $"{reason}; {Reason}" : reason, MissingElements);

    /// <summary>
    /// What stops a CancelRx from cancelling a NewRx (DESIGN.md, "Trust boundaries": a CancelRx binds to a NewRx only
    /// from the same sender, for the same prescriber and patient): the names of what differs, empty when it binds.
    /// The prescriber matches by DEA number or by NPI; the patient by name and date of birth.
    /// </summary>
    public static IReadOnlyList<string> CancelMismatches(bool sameSender, DeaElements cancel, DeaElements prescription)
    {
        var mismatches = new List<string>();
        if (!sameSender)
        {
            mismatches.Add("sender");
        }
        var sameDea = cancel.PrescriberDeaNumber.Length > 0 && cancel.PrescriberDeaNumber == prescription.PrescriberDeaNumber;
        var sameNpi = cancel.PrescriberNpi.Length > 0 && cancel.PrescriberNpi == prescription.PrescriberNpi;
        if (!sameDea && !sameNpi)
        {
            mismatches.Add("prescriber DEA number or NPI");
        }
        if (cancel.PatientDisplayName.Length == 0 || !string.Equals(cancel.PatientDisplayName, prescription.PatientDisplayName, StringComparison.OrdinalIgnoreCase))
        {
            mismatches.Add("patient name");
        }
        if (cancel.PatientBirthDate.Length == 0 || cancel.PatientBirthDate != prescription.PatientBirthDate)
        {
            mismatches.Add("patient date of birth");
        }
        return mismatches;
    }

    /// <summary>A CancelRx whose prescription was found but does not bind to it: the pharmacist decides, nothing is cancelled.</summary>
    public static ReceiptDecision CancelWithoutBinding(Guid prescription, IReadOnlyList<string> mismatches) => new(
        PrescriptionStatus.NeedsPharmacistReview,
        CancelNotBinding,
        $"this CancelRx does not match NewRx {prescription:D} in: {string.Join(", ", mismatches)}; nothing was cancelled",
        []);

    /// <summary>
    /// The key a CancelRx that arrived before its NewRx is later linked by: the SHA-256 of the sender, the prescriber's
    /// DEA number and NPI, and the patient's name and date of birth; null for other transactions. Both must carry the
    /// same facts, stricter than <see cref="CancelMismatches"/> (DEA number or NPI), since no one re-checks the link.
    /// </summary>
    public static string? CancelBindingKey(string sender, ScriptMessage? message) =>
        message is { Kind: TransactionKind.NewRx or TransactionKind.CancelRx, Elements: var e }
            ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
                $"{sender}\n{e.PrescriberDeaNumber}\n{e.PrescriberNpi}\n{e.PatientDisplayName.ToUpperInvariant()}\n{e.PatientBirthDate}")))
            : null;
}
