namespace PharmacyRx.Core.Receiving;

/// <summary>The fields <see cref="ScriptMessageReader"/> extracts.</summary>
internal enum ScriptField
{
    To,
    From,
    MessageId,
    RelatesToMessageId,
    SentTime,
    PrescriberOrderNumber,
    SignatureIndicator,
    DigestMethod,
    DigestValue,
    SignatureValue,
    Certificate,
    PrescriberDeaNumber,
    PrescriberLastName,
    PrescriberFirstName,
    PrescriberMiddleName,
    PrescriberAddressLine1,
    PrescriberAddressLine2,
    PrescriberCity,
    PrescriberStateProvince,
    PrescriberPostalCode,
    PatientLastName,
    PatientFirstName,
    PatientMiddleName,
    PatientAddressLine1,
    PatientAddressLine2,
    PatientCity,
    PatientStateProvince,
    PatientPostalCode,
    DrugDescription,
    DrugStrengthValue,
    DrugStrengthUnit,
    DosageForm,
    DeaSchedule,
    QuantityValue,
    QuantityUnit,
    WrittenDate,
    WrittenDateTime,
    NumberOfRefills,
    EarliestFillDate,
    SigText,
    Directions,
    PrescriberNpi,
    PatientBirthDate,
    AnswerCode,
    AnswerDescriptionCode,
    AnswerDescription,
}

/// <summary>
/// Which element feeds which field: element paths below <c>Message</c>, after the reader folds the transaction to
/// <c>Rx</c>, the patient and prescriber kinds to <c>*</c>, and drops a <c>Product</c> wrapper.
/// This table and <c>schemas/script-subset.md</c> must agree.
/// </summary>
internal static class ScriptFieldMap
{
    private const string Rx = "/Message/Body/Rx/";
    private const string Drug = Rx + "MedicationPrescribed/";

    private static readonly Dictionary<string, ScriptField> Paths = new(StringComparer.Ordinal)
    {
        ["/Message/Header/To"] = ScriptField.To,
        ["/Message/Header/From"] = ScriptField.From,
        ["/Message/Header/MessageID"] = ScriptField.MessageId,
        ["/Message/Header/RelatesToMessageID"] = ScriptField.RelatesToMessageId,
        ["/Message/Header/SentTime"] = ScriptField.SentTime,
        ["/Message/Header/PrescriberOrderNumber"] = ScriptField.PrescriberOrderNumber,
        ["/Message/Header/DigitalSignature/DigitalSignatureIndicator"] = ScriptField.SignatureIndicator,
        ["/Message/Header/DigitalSignature/DigestMethod"] = ScriptField.DigestMethod,
        ["/Message/Header/DigitalSignature/DigestValue"] = ScriptField.DigestValue,
        ["/Message/Header/DigitalSignature/SignatureValue"] = ScriptField.SignatureValue,
        ["/Message/Header/DigitalSignature/X509Data/X509Certificate"] = ScriptField.Certificate,
        [Rx + "Prescriber/*/Identification/DEANumber"] = ScriptField.PrescriberDeaNumber,
        [Rx + "Prescriber/*/Name/LastName"] = ScriptField.PrescriberLastName,
        [Rx + "Prescriber/*/Name/FirstName"] = ScriptField.PrescriberFirstName,
        [Rx + "Prescriber/*/Name/MiddleName"] = ScriptField.PrescriberMiddleName,
        [Rx + "Prescriber/*/Address/AddressLine1"] = ScriptField.PrescriberAddressLine1,
        [Rx + "Prescriber/*/Address/AddressLine2"] = ScriptField.PrescriberAddressLine2,
        [Rx + "Prescriber/*/Address/City"] = ScriptField.PrescriberCity,
        [Rx + "Prescriber/*/Address/StateProvince"] = ScriptField.PrescriberStateProvince,
        [Rx + "Prescriber/*/Address/PostalCode"] = ScriptField.PrescriberPostalCode,
        [Rx + "Patient/*/Name/LastName"] = ScriptField.PatientLastName,
        [Rx + "Patient/*/Name/FirstName"] = ScriptField.PatientFirstName,
        [Rx + "Patient/*/Name/MiddleName"] = ScriptField.PatientMiddleName,
        [Rx + "Patient/*/Address/AddressLine1"] = ScriptField.PatientAddressLine1,
        [Rx + "Patient/*/Address/AddressLine2"] = ScriptField.PatientAddressLine2,
        [Rx + "Patient/*/Address/City"] = ScriptField.PatientCity,
        [Rx + "Patient/*/Address/StateProvince"] = ScriptField.PatientStateProvince,
        [Rx + "Patient/*/Address/PostalCode"] = ScriptField.PatientPostalCode,
        [Drug + "DrugDescription"] = ScriptField.DrugDescription,
        [Drug + "DrugCoded/Strength/StrengthValue"] = ScriptField.DrugStrengthValue,
        [Drug + "DrugCoded/Strength/StrengthUnitOfMeasure/Code"] = ScriptField.DrugStrengthUnit,
        [Drug + "DrugCoded/Strength/StrengthForm/Code"] = ScriptField.DosageForm,
        [Drug + "DrugCoded/DEASchedule/Code"] = ScriptField.DeaSchedule,
        [Drug + "Quantity/Value"] = ScriptField.QuantityValue,
        [Drug + "Quantity/QuantityUnitOfMeasure/Code"] = ScriptField.QuantityUnit,
        [Drug + "WrittenDate/Date"] = ScriptField.WrittenDate,
        [Drug + "WrittenDate/DateTime"] = ScriptField.WrittenDateTime,
        [Drug + "NumberOfRefills"] = ScriptField.NumberOfRefills,
        // The date before which the prescription may not be filled (1306.12(b)); not part of the signed elements.
        [Drug + "EarliestFillDate/Date"] = ScriptField.EarliestFillDate,
        [Drug + "Sig/SigText"] = ScriptField.SigText,
        [Drug + "Directions"] = ScriptField.Directions,
        // Not among the signed elements: they bind a CancelRx to its NewRx (same prescriber, same patient).
        [Rx + "Prescriber/*/Identification/NPI"] = ScriptField.PrescriberNpi,
        [Rx + "Patient/*/DateOfBirth/Date"] = ScriptField.PatientBirthDate,
        // What a Status, Error or Verify answers (NCPDP SCRIPT: Code, DescriptionCode, Description; a Verify's under VerifyStatus).
        [Rx + "Code"] = ScriptField.AnswerCode,
        [Rx + "DescriptionCode"] = ScriptField.AnswerDescriptionCode,
        [Rx + "Description"] = ScriptField.AnswerDescription,
        [Rx + "VerifyStatus/Code"] = ScriptField.AnswerCode,
        [Rx + "VerifyStatus/DescriptionCode"] = ScriptField.AnswerDescriptionCode,
        [Rx + "VerifyStatus/Description"] = ScriptField.AnswerDescription,
    };

    private static readonly Dictionary<string, ScriptField>.AlternateLookup<ReadOnlySpan<char>> SpanLookup =
        Paths.GetAlternateLookup<ReadOnlySpan<char>>();

    public static int FieldCount { get; } = Enum.GetValues<ScriptField>().Length;

    public static ScriptField? Lookup(ReadOnlySpan<char> path) =>
        SpanLookup.TryGetValue(path, out var field) ? field
        : IsScheduleElsewhere(path) ? ScriptField.DeaSchedule
        : null;

    // 1311.200(a): whether a prescription is for a controlled substance decides whether the EPCS checks apply, so a
    // schedule anywhere in the medication counts, not only at DrugCoded/DEASchedule/Code: a compound ingredient's, a
    // code written straight in DEASchedule, a DEASchedule (or its Code) in another namespace ("~") or spelled in another
    // case. The reader keeps the strictest (DeaScheduleCodes.Stricter).
    private static bool IsScheduleElsewhere(ReadOnlySpan<char> path) =>
        path.StartsWith(Drug, StringComparison.Ordinal)
        && (path.EndsWith("/DEASchedule/Code", StringComparison.OrdinalIgnoreCase)
            || path.EndsWith("/DEASchedule", StringComparison.OrdinalIgnoreCase)
            || path.EndsWith("/DEASchedule/~", StringComparison.OrdinalIgnoreCase));

    public static bool IsBase64(ScriptField field) =>
        field is ScriptField.DigestValue or ScriptField.SignatureValue or ScriptField.Certificate;
}
