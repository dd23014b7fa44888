using System.Xml.Linq;

namespace PharmacyRx.Testing;

/// <summary>
/// The SCRIPT transactions a pharmacy's inbox sees that carry no prescription, shaped as real ones are (synthetic values):
/// CancelRxResponse, Status, Error and Verify, which this service archives as what they are and links to the message they
/// answer, and RxFill, which a pharmacy sends rather than receives and this service does not read (Rejected). The
/// prescriber's RxRenewalResponse and RxChangeResponse carry a prescription: <see cref="SyntheticNewRx"/> with
/// <see cref="SyntheticNewRx.Response"/> renders them.
/// </summary>
public sealed record SyntheticTransaction(string Transaction)
{
    private static readonly XNamespace Script = SyntheticNewRx.Script;

    /// <summary>The acknowledgements and answers this service reads and archives as what they are.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["CancelRxResponse", "Status", "Error", "Verify"];

    /// <summary>A transaction this service does not read.</summary>
    public const string Unsupported = "RxFill";

    public string MessageId { get; init; } = "OTHER-0001";
    public string RelatesToMessageId { get; init; } = "MSG-0001";
    public string PrescriberOrderNumber { get; init; } = "";
    public string Version { get; init; } = "2017071";

    public string ToXml()
    {
        var header = new XElement(Script + "Header",
            new XElement(Script + "To", new XAttribute("Qualifier", "P"), "7701630"),
            new XElement(Script + "From", new XAttribute("Qualifier", "C"), "6666666"),
            new XElement(Script + "MessageID", MessageId),
            new XElement(Script + "RelatesToMessageID", RelatesToMessageId),
            new XElement(Script + "SentTime", "2026-11-20T14:05:00.0Z"),
            PrescriberOrderNumber.Length > 0 ? new XElement(Script + "PrescriberOrderNumber", PrescriberOrderNumber) : null);
        var document = new XDocument(new XDeclaration("1.0", "UTF-8", null),
            new XElement(Script + "Message", SyntheticNewRx.VersionAttributes(Version), header,
                new XElement(Script + "Body", Body())));
        return document.Declaration + "\n" + document.Root;
    }

    public byte[] ToBytes() => System.Text.Encoding.UTF8.GetBytes(ToXml());

    private XElement Body() => Transaction switch
    {
        "Status" => new XElement(Script + "Status", new XElement(Script + "Code", "010")),
        "Error" => new XElement(Script + "Error",
            new XElement(Script + "Code", "900"), new XElement(Script + "DescriptionCode", "2000"),
            new XElement(Script + "Description", "Transaction rejected")),
        "Verify" => new XElement(Script + "Verify", new XElement(Script + "VerifyStatus", new XElement(Script + "Code", "010"))),
        "CancelRxResponse" => new XElement(Script + "CancelRxResponse",
            new XElement(Script + "Response", new XElement(Script + "Approved")),
            new XElement(Script + "Patient", new XElement(Script + "HumanPatient",
                new XElement(Script + "Name", new XElement(Script + "LastName", "Testpatient"), new XElement(Script + "FirstName", "Alex")),
                new XElement(Script + "DateOfBirth", new XElement(Script + "Date", "1970-01-01")))),
            new XElement(Script + "Pharmacy", new XElement(Script + "Identification", new XElement(Script + "NCPDPID", "7701630"))),
            new XElement(Script + "Prescriber", new XElement(Script + "NonVeterinarian",
                new XElement(Script + "Identification", new XElement(Script + "NPI", "1234567893")),
                new XElement(Script + "Name", new XElement(Script + "LastName", "Testprescriber")))),
            new XElement(Script + "MedicationPrescribed",
                new XElement(Script + "DrugDescription", "Amoxicillin 500 MG Oral Capsule"),
                new XElement(Script + "Quantity", new XElement(Script + "Value", "30")))),
        Unsupported => new XElement(Script + Unsupported,
            new XElement(Script + "FillStatus", new XElement(Script + "Dispensed")),
            new XElement(Script + "Pharmacy", new XElement(Script + "Identification", new XElement(Script + "NCPDPID", "7701630")))),
        _ => throw new ArgumentOutOfRangeException(nameof(Transaction), Transaction, "not a transaction this builder renders"),
    };
}
