namespace PharmacyRx.Core.Receiving;

/// <summary>The SCRIPT transactions this service reads. Anything else is archived as <see cref="PrescriptionStatus.Rejected"/>.</summary>
public enum TransactionKind
{
    NewRx,
    CancelRx,
}
