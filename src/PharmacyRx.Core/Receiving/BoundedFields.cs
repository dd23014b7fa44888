namespace PharmacyRx.Core.Receiving;

/// <summary>
/// The one bound on a message's identifiers and names, the same on every engine: SQL Server indexes them in
/// nvarchar(850) (an index key's 1,700 bytes) or nvarchar(800) (name and drug search keys), where a longer value fails
/// its insert. A field past it reads as Rejected/<see cref="RejectionCode.FieldTooLong"/>, archived with its bytes.
/// </summary>
public static class BoundedFields
{
    /// <summary>
    /// At most 255 characters in each bounded field: far above SCRIPT's own lengths (a MessageID is at most 35, a name
    /// part 35, a DrugDescription 105), far below the columns.
    /// </summary>
    public const int MaxLength = 255;

    private static readonly (ScriptField Field, string Name)[] Fields =
    [
        (ScriptField.MessageId, "Header/MessageID"),
        (ScriptField.RelatesToMessageId, "Header/RelatesToMessageID"),
        (ScriptField.PrescriberOrderNumber, "Header/PrescriberOrderNumber"),
        (ScriptField.PatientLastName, "Patient/Name/LastName"),
        (ScriptField.PatientFirstName, "Patient/Name/FirstName"),
        (ScriptField.PatientMiddleName, "Patient/Name/MiddleName"),
        (ScriptField.PrescriberLastName, "Prescriber/Name/LastName"),
        (ScriptField.PrescriberFirstName, "Prescriber/Name/FirstName"),
        (ScriptField.PrescriberMiddleName, "Prescriber/Name/MiddleName"),
        (ScriptField.DrugDescription, "MedicationPrescribed/DrugDescription"),
    ];

    /// <summary>The value when it fits the bound, else "" (a MessageID kept beside a rejection).</summary>
    public static string Fitting(string value) => value.Length <= MaxLength ? value : "";

    /// <summary>Why the message is refused: the first bounded field past the bound; null when all fit.</summary>
    internal static string? FirstTooLong(Func<ScriptField, string> value) =>
        Fields.Select(f => (f.Name, Length: value(f.Field).Length)).FirstOrDefault(f => f.Length > MaxLength) is { Name: not null } tooLong
            ? $"{tooLong.Name} is {tooLong.Length} characters; at most {MaxLength} are accepted"
            : null;
}
