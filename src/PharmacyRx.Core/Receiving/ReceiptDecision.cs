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

        var missing = SignedElements.MissingRequired(message.Elements);
        var signature = message.Header.Signature;
        if (signature.HasSignature)
        {
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
                "DigitalSignatureIndicator is absent or false: the pharmacist must verify that the practitioner signed (1311.205(b)(6)(ii))"
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

    /// <summary>A CancelRx whose prescription is not in the archive goes to the pharmacist rather than being lost.</summary>
    public static ReceiptDecision CancelWithoutTarget() => new(
        PrescriptionStatus.NeedsPharmacistReview,
        CancelTargetNotFound,
        "no archived NewRx matches this CancelRx's RelatesToMessageID or PrescriberOrderNumber",
        []);
}
