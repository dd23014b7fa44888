namespace PharmacyRx.Core.Export;

/// <summary>
/// The prescription's own columns of an export, in <see cref="ExportColumns.All"/> order after the prescription number: what
/// a prescription_details row stores, joined by <see cref="ExportRecord.Separator"/> (ExportColumnsTests hold the two lists together).
/// </summary>
public enum DetailField
{
    WrittenDate,
    Schedule,
    PatientName,
    PatientAddress,
    PrescriberName,
    PrescriberAddress,
    PrescriberDeaNumber,
    DrugName,
    Strength,
    DosageForm,
    QuantityPrescribed,
    QuantityUnit,
    RefillsAuthorized,
}
