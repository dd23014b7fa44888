using System.Xml.Linq;

namespace PharmacyRx.Testing;

/// <summary>
/// The other SCRIPT transactions a pharmacy's inbox sees besides NewRx and CancelRx, shaped as real ones are (synthetic
/// values): a prescriber's RxRenewalResponse and RxChangeResponse, and the Status, Error and Verify acknowledgements.
/// This service reads none of them; each is archived as Rejected/UnsupportedTransaction with its reason.
/// </summary>
public sealed record SyntheticTransaction(string Transaction)
{
    private static readonly XNamespace Script = SyntheticNewRx.Script;

    /// <summary>Every transaction this builder renders.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["RxRenewalResponse", "RxChangeResponse", "Status", "Error", "Verify"];

    public string MessageId { get; init; } = "OTHER-0001";
    public string RelatesToMessageId { get; init; } = "MSG-0001";
    public string Version { get; init; } = "2017071";

    public string ToXml()
    {
        var header = new XElement(Script + "Header",
            new XElement(Script + "To", new XAttribute("Qualifier", "P"), "7701630"),
            new XElement(Script + "From", new XAttribute("Qualifier", "C"), "6666666"),
            new XElement(Script + "MessageID", MessageId),
            new XElement(Script + "RelatesToMessageID", RelatesToMessageId),
            new XElement(Script + "SentTime", "2026-11-20T14:05:00.0Z"));
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
            new XElement(Script + "Code", "900"), new XElement(Script + "DescriptionCode", "220"),
            new XElement(Script + "Description", "Transaction rejected")),
        "Verify" => new XElement(Script + "Verify", new XElement(Script + "VerifyStatus", new XElement(Script + "Code", "010"))),
        "RxRenewalResponse" or "RxChangeResponse" => new XElement(Script + Transaction,
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
        _ => throw new ArgumentOutOfRangeException(nameof(Transaction), Transaction, "not a transaction this builder renders"),
    };
}
