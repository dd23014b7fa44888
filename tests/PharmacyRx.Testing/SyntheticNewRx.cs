using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Verification;

namespace PharmacyRx.Testing;

/// <summary>
/// Synthetic NCPDP SCRIPT 2017071 (or 2023011) messages for tests and benchmarks: no real patient, prescriber or pharmacy.
/// Every part can be varied with <c>with</c>; <see cref="ToXml"/> renders the message.
/// </summary>
public sealed record SyntheticNewRx
{
    public static readonly XNamespace Script = "http://www.ncpdp.org/schema/SCRIPT";

    /// <summary>
    /// An ordinary prescription for a drug that is not a controlled substance, as most traffic is: no <c>DEASchedule</c>,
    /// no <c>DigitalSignature</c>, a prescriber without a DEA number, and a structured Sig.
    /// </summary>
    public static SyntheticNewRx NotControlled { get; } = new()
    {
        DrugDescription = "Amoxicillin 500 MG Oral Capsule",
        Strength = "500",
        Quantity = "30",
        Refills = "2",
        Directions = "Take 1 capsule by mouth three times daily for 10 days",
        ScheduleCode = "",
        SignatureIndicator = null,
        DeaNumber = "",
        StructuredSig = true,
    };

    /// <summary>The SCRIPT version the message says it is (every version attribute of <c>Message</c>): 2017071 or 2023011.</summary>
    public string Version { get; init; } = "2017071";

    /// <summary>
    /// Send <c>ProductCode</c>'s qualifier as an attribute (<c>&lt;ProductCode Qualifier="ND"&gt;</c>) instead of the
    /// <c>Qualifier</c> child element; senders use both.
    /// </summary>
    public bool ProductCodeQualifierAttribute { get; init; }

    /// <summary>A structured Sig (SigText with coded dose, route and frequency, as SNOMED) instead of free text only.</summary>
    public bool StructuredSig { get; init; }

    public string Transaction { get; init; } = "NewRx";

    /// <summary>
    /// For an RxRenewalResponse or RxChangeResponse: the prescriber's choice under <c>Response</c> (Approved,
    /// ApprovedWithChanges, Replace, Denied, Validated), sent before the patient as SCRIPT 2017071 orders it; null for none.
    /// </summary>
    public string? Response { get; init; }
    public string MessageId { get; init; } = "MSG-0001";
    public string From { get; init; } = "6666666";
    public string RelatesToMessageId { get; init; } = "";
    public string PrescriberOrderNumber { get; init; } = "ORD-0001";

    /// <summary>DigitalSignatureIndicator: true, false, or null to leave it out.</summary>
    public bool? SignatureIndicator { get; init; } = true;

    /// <summary>A practitioner signature block to send instead of the indicator.</summary>
    public XElement? SignatureBlock { get; init; }

    /// <summary>Header/SentTime; a signed message's signing time.</summary>
    public string SentTime { get; init; } = "2026-11-20T14:05:00.0Z";

    public string PatientLastName { get; init; } = "Testpatient";
    public string PatientFirstName { get; init; } = "Alex";
    public bool PatientAddress { get; init; } = true;
    public string PrescriberLastName { get; init; } = "Testprescriber";
    public string PrescriberFirstName { get; init; } = "Sam";
    public string DeaNumber { get; init; } = "FT1234563";
    public string Npi { get; init; } = "1234567893";
    public string PatientBirthDate { get; init; } = "1970-01-01";
    public string DrugDescription { get; init; } = "Oxycodone Hydrochloride 5 MG Oral Tablet";
    public string Strength { get; init; } = "5";
    public string Quantity { get; init; } = "20";
    public string Directions { get; init; } = "Take 1 tablet by mouth every 6 hours as needed for pain";

    /// <summary>Use the later <c>Directions</c> element and a <c>Product</c> wrapper instead of 2017071's <c>Sig/SigText</c>.</summary>
    public bool LaterVersionShape { get; init; }

    public string WrittenDate { get; init; } = "2026-11-20";
    public string Refills { get; init; } = "0";

    /// <summary>The DEASchedule code, or "" for a non-controlled drug.</summary>
    public string ScheduleCode { get; init; } = "C48675";

    /// <summary>Extra elements a sender might add that this service does not read.</summary>
    public bool UnknownElements { get; init; }

    public XDocument ToDocument()
    {
        var header = new XElement(Script + "Header",
            new XElement(Script + "To", new XAttribute("Qualifier", "P"), "7701630"),
            new XElement(Script + "From", new XAttribute("Qualifier", "C"), From),
            new XElement(Script + "MessageID", MessageId),
            RelatesToMessageId.Length > 0 ? new XElement(Script + "RelatesToMessageID", RelatesToMessageId) : null,
            new XElement(Script + "SentTime", SentTime),
            SignatureBlock ?? (SignatureIndicator is { } indicator
                ? new XElement(Script + "DigitalSignature", new XAttribute("Version", "1.0"),
                    new XElement(Script + "DigitalSignatureIndicator", indicator ? "true" : "false"))
                : null),
            new XElement(Script + "PrescriberOrderNumber", PrescriberOrderNumber));

        var drugCoded = new XElement(Script + "DrugCoded",
            ProductCodeQualifierAttribute
                ? new XElement(Script + "ProductCode", new XAttribute("Qualifier", "ND"), new XElement(Script + "Code", "00000000000"))
                : new XElement(Script + "ProductCode", new XElement(Script + "Code", "00000000000"), new XElement(Script + "Qualifier", "ND")),
            new XElement(Script + "Strength",
                new XElement(Script + "StrengthValue", Strength),
                new XElement(Script + "StrengthForm", new XElement(Script + "Code", "C42998")),
                new XElement(Script + "StrengthUnitOfMeasure", new XElement(Script + "Code", "C28253"))),
            ScheduleCode.Length > 0 ? new XElement(Script + "DEASchedule", new XElement(Script + "Code", ScheduleCode)) : null);

        var medication = new XElement(Script + "MedicationPrescribed",
            new XElement(Script + "DrugDescription", DrugDescription),
            LaterVersionShape ? new XElement(Script + "Product", drugCoded) : drugCoded,
            new XElement(Script + "Quantity",
                new XElement(Script + "Value", Quantity),
                new XElement(Script + "CodeListQualifier", "38"),
                new XElement(Script + "QuantityUnitOfMeasure", new XElement(Script + "Code", "C48542"))),
            new XElement(Script + "WrittenDate", new XElement(Script + "Date", WrittenDate)),
            new XElement(Script + "Substitutions", "0"),
            new XElement(Script + "NumberOfRefills", Refills),
            LaterVersionShape
                ? new XElement(Script + "Directions", Directions)
                : new XElement(Script + "Sig", new XElement(Script + "SigText", Directions), StructuredSig ? SigInstruction() : null),
            UnknownElements ? new XElement(Script + "FutureElement", new XElement(Script + "Nested", "ignored")) : null);

        var body = new XElement(Script + "Body",
            new XElement(Script + Transaction,
                Response is { } response ? ResponseElement(response) : null,
                new XElement(Script + "Patient", new XElement(Script + "HumanPatient",
                    new XElement(Script + "Name", new XElement(Script + "LastName", PatientLastName), new XElement(Script + "FirstName", PatientFirstName)),
                    new XElement(Script + "Gender", "U"),
                    new XElement(Script + "DateOfBirth", new XElement(Script + "Date", PatientBirthDate)),
                    PatientAddress ? Address("100 Example Street", "Springfield", "IL", "62701") : null)),
                new XElement(Script + "Pharmacy",
                    new XElement(Script + "Identification", new XElement(Script + "NCPDPID", "7701630")),
                    new XElement(Script + "BusinessName", "Synthetic Test Pharmacy")),
                new XElement(Script + "Prescriber", new XElement(Script + "NonVeterinarian",
                    new XElement(Script + "Identification", Npi.Length > 0 ? new XElement(Script + "NPI", Npi) : null, new XElement(Script + "DEANumber", DeaNumber)),
                    new XElement(Script + "Name", new XElement(Script + "LastName", PrescriberLastName), new XElement(Script + "FirstName", PrescriberFirstName)),
                    Address("1 Clinic Way", "Springfield", "IL", "62702"))),
                medication));

        return new XDocument(new XDeclaration("1.0", "UTF-8", null),
            new XElement(Script + "Message",
                VersionAttributes(Version),
                UnknownElements ? new XAttribute(XNamespace.Xmlns + "ext", "urn:example:extension") : null,
                header,
                UnknownElements ? new XElement(XName.Get("Extension", "urn:example:extension"), new XElement(Script + "MessageID", "NOT-THIS-ONE")) : null,
                body));
    }

    public string ToXml() => ToDocument().Declaration + "\n" + ToDocument().Root;

    /// <summary>
    /// This message with a practitioner's signature over its canonical signed elements (schemas/practitioner-signature.md),
    /// by <paramref name="signer"/>, sending <paramref name="chain"/> along.
    /// </summary>
    public SyntheticNewRx SignedBy(X509Certificate2 signer, HashAlgorithmName digest, params X509Certificate2[] chain)
    {
        var unsigned = this with { SignatureBlock = null, SignatureIndicator = null };
        var canonical = SignedElements.FormatUtf8(new ScriptMessageReader().Read(unsigned.ToBytes()).Message!.Elements);
        return this with { SignatureBlock = PrescriberSignature.Element(PrescriberSignature.Sign(canonical, signer, digest, chain), Script) };
    }

    public byte[] ToBytes() => System.Text.Encoding.UTF8.GetBytes(ToXml());

    /// <summary>The version attributes every SCRIPT <c>Message</c> carries.</summary>
    public static XAttribute[] VersionAttributes(string version) =>
    [
        new("DatatypesVersion", version), new("TransportVersion", version), new("TransactionDomain", "SCRIPT"),
        new("TransactionVersion", version), new("StructuresVersion", version), new("ECLVersion", version),
    ];

    // Coded dose, route and frequency beside the free text (SNOMED CT, as SCRIPT's structured Sig carries them).
    private static XElement[] SigInstruction() =>
    [
        new(Script + "CodeSystem", new XElement(Script + "SNOMEDVersion", "20170131"), new XElement(Script + "FMTVersion", "16.03d")),
        new(Script + "Instruction",
            new XElement(Script + "DoseAdministration",
                new XElement(Script + "DoseDeliveryMethod", Coded("Take", "SNOMED", "419652001")),
                new XElement(Script + "Dosage",
                    new XElement(Script + "DoseQuantity", "1"),
                    new XElement(Script + "DoseUnitOfMeasure", Coded("Capsule", "DoseUnitOfMeasure", "C48480"))),
                new XElement(Script + "RouteOfAdministration", Coded("oral route", "SNOMED", "26643006"))),
            new XElement(Script + "TimingAndDuration",
                new XElement(Script + "Frequency",
                    new XElement(Script + "FrequencyNumericValue", "3"),
                    new XElement(Script + "FrequencyUnits", Coded("day", "SNOMED", "258703001"))))),
    ];

    // A denial and a validation carry a reason code and note; an approval with changes a note of what changed.
    private static XElement ResponseElement(string response) => new(Script + "Response", new XElement(Script + response, response switch
    {
        "Denied" => new object[] { new XElement(Script + "ReasonCode", "AA"), new XElement(Script + "DenialReason", "Patient unknown to the prescriber") },
        "Validated" => [new XElement(Script + "ReasonCode", "GM"), new XElement(Script + "ValidatedNote", "Prior authorization obtained")],
        "ApprovedWithChanges" => [new XElement(Script + "Note", "Quantity changed")],
        _ => [],
    }));

    private static XElement[] Coded(string text, string qualifier, string code) =>
        [new(Script + "Text", text), new(Script + "Qualifier", qualifier), new(Script + "Code", code)];

    private static XElement Address(string line1, string city, string state, string postalCode) => new(Script + "Address",
        new XElement(Script + "AddressLine1", line1),
        new XElement(Script + "City", city),
        new XElement(Script + "StateProvince", state),
        new XElement(Script + "PostalCode", postalCode),
        new XElement(Script + "CountryCode", "US"));
}
