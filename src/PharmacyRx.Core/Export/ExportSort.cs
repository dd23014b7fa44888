namespace PharmacyRx.Core.Export;

/// <summary>
/// The orders an inspector may ask for (1311.205(b)(12)): by prescriber name, patient name, drug dispensed or date
/// filled. Ties fall to the other three in this order, then to the prescription number and the order of the
/// dispensings, so the same data always exports in the same order.
/// </summary>
public enum ExportSort
{
    Prescriber,
    Patient,
    Drug,

    /// <summary>Date filled, oldest first; prescriptions never dispensed come last.</summary>
    DateFilled,
}
