namespace PharmacyRx.Core.Receiving;

/// <summary>
/// The SCRIPT transactions this service reads, by their element name under <c>Body</c> (stored by name). Anything else is
/// archived as <see cref="PrescriptionStatus.Rejected"/>. Which of them carry a prescription is
/// <see cref="ScriptTransactions.IsPrescription"/>'s to say (docs/transactions.md).
/// </summary>
public enum TransactionKind
{
    NewRx,
    CancelRx,

    /// <summary>The prescriber's answer to the pharmacy's renewal request: Approved, ApprovedWithChanges or Replace carry a new prescription.</summary>
    RxRenewalResponse,

    /// <summary>The prescriber's answer to the pharmacy's change request: Approved or ApprovedWithChanges replace the original.</summary>
    RxChangeResponse,

    CancelRxResponse,
    Status,
    Error,
    Verify,
}
