using System.Text;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Receiving;

public class ScriptMessageReaderTests
{
    private readonly ScriptMessageReader _reader = new();

    private ReadResult Read(string xml) => _reader.Read(Encoding.UTF8.GetBytes(xml));

    [Test]
    [Property("Rule", "1311.205(b)(7)")]
    [Property("Rule", "1311.205(b)(8)")]
    public void Reads_every_DEA_element_of_a_2017071_NewRx()
    {
        var result = _reader.Read(new SyntheticNewRx { DeaNumber = "FT1234563-ICU042", Refills = "2" }.ToBytes());

        Assert.That(result.Message, Is.Not.Null, result.Reason);
        var message = result.Message!;
        Assert.Multiple(() =>
        {
            Assert.That(message.Kind, Is.EqualTo(TransactionKind.NewRx));
            Assert.That(message.Header.MessageId, Is.EqualTo("MSG-0001"));
            Assert.That(message.Header.PrescriberOrderNumber, Is.EqualTo("ORD-0001"));
            Assert.That(message.Header.Signature.Indicator, Is.True);
            Assert.That(message.Header.Signature.HasSignature, Is.False);
            Assert.That(message.Elements, Is.EqualTo(new DeaElements
            {
                PrescriberDeaNumber = "FT1234563-ICU042",
                PrescriberLastName = "Testprescriber",
                PrescriberFirstName = "Sam",
                PrescriberAddress = new PostalAddress("1 Clinic Way", "", "Springfield", "IL", "62702"),
                PatientLastName = "Testpatient",
                PatientFirstName = "Alex",
                PatientAddress = new PostalAddress("100 Example Street", "", "Springfield", "IL", "62701"),
                DrugDescription = "Oxycodone Hydrochloride 5 MG Oral Tablet",
                DrugStrengthValue = "5",
                DrugStrengthUnit = "C28253",
                DosageForm = "C42998",
                QuantityValue = "20",
                QuantityUnit = "C48542",
                Directions = "Take 1 tablet by mouth every 6 hours as needed for pain",
                WrittenDate = "2026-11-20",
                NumberOfRefills = "2",
                DeaScheduleCode = "C48675",
                PrescriberNpi = "1234567893",
                PatientBirthDate = "1970-01-01",
            }));
            Assert.That(message.Elements.Schedule, Is.EqualTo(DeaSchedule.ScheduleII));
        });
    }

    [TestCase("<MessageID>MSG-0001</MessageID>", "<MessageID>MSG-0001</MessageID><MessageID>MSG-0002</MessageID>", "Message/Header/MessageID")]
    [TestCase("<MessageID>MSG-0001</MessageID>", "<MessageID/><MessageID>MSG-0001</MessageID>", "Message/Header/MessageID")]
    [TestCase("<LastName>Testpatient</LastName>", "<LastName>Testpatient</LastName><LastName>Otherpatient</LastName>", "Message/Body/NewRx/Patient/*/Name/LastName")]
    [TestCase("</HumanPatient>", "</HumanPatient><HumanPatient><Name><LastName>Otherpatient</LastName></Name></HumanPatient>", "Message/Body/NewRx/Patient/*/Name/LastName")]
    public void Rejects_a_second_occurrence_of_an_element_allowed_once_naming_it(string once, string twice, string element)
    {
        var xml = System.Text.Encoding.UTF8.GetString(new SyntheticNewRx().ToBytes());
        Assert.That(xml, Does.Contain(once));
        var bytes = System.Text.Encoding.UTF8.GetBytes(ReplaceFirst(xml, once, twice));

        var result = _reader.Read(bytes);

        Assert.That(result.Code, Is.EqualTo(RejectionCode.DuplicateElement));
        Assert.That(result.Reason, Does.StartWith(element).And.Contain("more than once"));
        // A record archived before the rule is read again as it was read then: the first occurrence standing.
        Assert.That(_reader.ReadAsFirstOccurrenceWins(bytes).Code, Is.Not.EqualTo(RejectionCode.DuplicateElement));
    }

    [Test]
    public void A_certificate_chain_and_a_second_schedule_may_repeat()
    {
        var document = System.Xml.Linq.XDocument.Parse(new SyntheticNewRx().ToXml());
        var script = (System.Xml.Linq.XNamespace)ScriptMessageReader.Namespace;
        var schedule = document.Descendants(script + "DEASchedule").Single();
        schedule.AddAfterSelf(new System.Xml.Linq.XElement(schedule));
        var certificate = new System.Xml.Linq.XElement(script + "X509Data",
            new System.Xml.Linq.XElement(script + "X509Certificate", "AAAA"), new System.Xml.Linq.XElement(script + "X509Certificate", "BBBB"));
        document.Descendants(script + "DigitalSignature").Single().Add(certificate);

        var result = _reader.Read(System.Text.Encoding.UTF8.GetBytes(document.ToString()));

        Assert.That(result.Message, Is.Not.Null, result.Reason);
        Assert.That(result.Message!.Header.Signature.Certificates, Is.EqualTo(new[] { "AAAA", "BBBB" }));
    }

    private static string ReplaceFirst(string text, string find, string replacement)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        return text[..at] + replacement + text[(at + find.Length)..];
    }

    [Test]
    public void Reads_the_later_Directions_shape_to_the_same_elements_as_Sig_SigText()
    {
        var older = _reader.Read(new SyntheticNewRx().ToBytes()).Message!;
        var later = _reader.Read(new SyntheticNewRx { LaterVersionShape = true }.ToBytes()).Message!;

        Assert.That(later.Elements, Is.EqualTo(older.Elements));
        Assert.That(SignedElements.Format(later.Elements), Is.EqualTo(SignedElements.Format(older.Elements)));
    }

    [Test]
    public void Reads_a_CancelRx_with_its_reference_to_the_prescription()
    {
        var result = _reader.Read(new SyntheticNewRx { Transaction = "CancelRx", MessageId = "C-1", RelatesToMessageId = "MSG-0001" }.ToBytes());

        Assert.That(result.Message?.Kind, Is.EqualTo(TransactionKind.CancelRx));
        Assert.That(result.Message!.Header.RelatesToMessageId, Is.EqualTo("MSG-0001"));
    }

    [Test]
    public void Tolerates_unknown_elements_and_ignores_elements_in_other_namespaces()
    {
        var result = _reader.Read(new SyntheticNewRx { UnknownElements = true }.ToBytes());

        Assert.That(result.Message, Is.Not.Null, result.Reason);
        Assert.That(result.Message!.Header.MessageId, Is.EqualTo("MSG-0001"));
    }

    [Test]
    public void Trims_and_collapses_whitespace_in_values()
    {
        var result = _reader.Read(new SyntheticNewRx { PatientLastName = "  Test \n\t  patient  " }.ToBytes());

        Assert.That(result.Message!.Elements.PatientLastName, Is.EqualTo("Test patient"));
    }

    [Test]
    public void Reads_a_practitioner_signature_block()
    {
        var ns = SyntheticNewRx.Script;
        var block = new System.Xml.Linq.XElement(ns + "DigitalSignature",
            new System.Xml.Linq.XElement(ns + "DigestMethod", new System.Xml.Linq.XAttribute("Algorithm", "http://www.w3.org/2001/04/xmlenc#sha256")),
            new System.Xml.Linq.XElement(ns + "DigestValue", "AAEC\n AwQ="),
            new System.Xml.Linq.XElement(ns + "SignatureValue", "c2ln"),
            new System.Xml.Linq.XElement(ns + "X509Data",
                new System.Xml.Linq.XElement(ns + "X509Certificate", "Y2VydDE="),
                new System.Xml.Linq.XElement(ns + "X509Certificate", "Y2VydDI=")));

        var signature = _reader.Read(new SyntheticNewRx { SignatureBlock = block }.ToBytes()).Message!.Header.Signature;

        Assert.Multiple(() =>
        {
            Assert.That(signature.HasSignature, Is.True);
            Assert.That(signature.DigestMethod, Is.EqualTo("http://www.w3.org/2001/04/xmlenc#sha256"));
            Assert.That(signature.DigestValue, Is.EqualTo("AAECAwQ="));
            Assert.That(signature.Certificates, Is.EqualTo(new[] { "Y2VydDE=", "Y2VydDI=" }));
        });
    }

    [Test]
    public void Rejects_a_DTD()
    {
        var xml = "<?xml version=\"1.0\"?><!DOCTYPE Message [<!ELEMENT Message ANY>]><Message xmlns=\"http://www.ncpdp.org/schema/SCRIPT\"/>";

        Assert.That(Read(xml).Code, Is.EqualTo(RejectionCode.ForbiddenXml));
    }

    [Test]
    public void Rejects_billion_laughs_without_expanding_it()
    {
        var xml = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
            ]>
            <Message xmlns="http://www.ncpdp.org/schema/SCRIPT"><Header><MessageID>&lol9;</MessageID></Header></Message>
            """;

        Assert.That(Read(xml).Code, Is.EqualTo(RejectionCode.ForbiddenXml));
    }

    [Test]
    public void Rejects_an_external_entity()
    {
        var xml = """
            <?xml version="1.0"?>
            <!DOCTYPE Message [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <Message xmlns="http://www.ncpdp.org/schema/SCRIPT"><Header><MessageID>&xxe;</MessageID></Header></Message>
            """;

        var result = Read(xml);

        Assert.That(result.Code, Is.EqualTo(RejectionCode.ForbiddenXml));
        Assert.That(result.Reason, Does.Not.Contain("root:"));
    }

    [Test]
    public void Rejects_input_over_the_size_cap_before_parsing()
    {
        var reader = new ScriptMessageReader(new ScriptReaderOptions { MaxMessageBytes = 4096 });
        var big = new SyntheticNewRx { Directions = new string('x', 5000) }.ToBytes();

        var result = reader.Read(big);

        Assert.That(result.Code, Is.EqualTo(RejectionCode.TooLarge));
        Assert.That(result.Reason, Does.Contain("4096"));
    }

    [Test]
    public void Rejects_nesting_deeper_than_the_depth_cap()
    {
        var deep = string.Concat(Enumerable.Repeat("<a>", 200)) + string.Concat(Enumerable.Repeat("</a>", 200));
        var xml = $"<Message xmlns=\"http://www.ncpdp.org/schema/SCRIPT\"><Header><MessageID>D-1</MessageID></Header><Body><NewRx>{deep}</NewRx></Body></Message>";

        var result = Read(xml);

        Assert.That(result.Code, Is.EqualTo(RejectionCode.TooDeep));
        Assert.That(result.PartialMessageId, Is.EqualTo("D-1"));
    }

    [Test]
    public void Rejects_the_wrong_namespace()
    {
        var xml = new SyntheticNewRx().ToXml().Replace("http://www.ncpdp.org/schema/SCRIPT", "urn:not-script", StringComparison.Ordinal);

        Assert.That(Read(xml).Code, Is.EqualTo(RejectionCode.WrongNamespace));
    }

    [Test]
    public void Rejects_a_truncated_message_and_keeps_the_MessageID_it_read()
    {
        var xml = new SyntheticNewRx { MessageId = "TRUNC-1" }.ToXml();

        var result = Read(xml[..(xml.Length / 2)]);

        Assert.That(result.Code, Is.EqualTo(RejectionCode.MalformedXml));
        Assert.That(result.PartialMessageId, Is.EqualTo("TRUNC-1"));
    }

    [Test]
    public void Rejects_bytes_that_are_not_text()
    {
        Assert.That(_reader.Read(new byte[] { 0xFF, 0xFE, 0x00, 0xD8, 0x00, 0x01, 0x02 }).Code, Is.EqualTo(RejectionCode.MalformedXml));
    }

    [Test]
    public void Rejects_an_unsupported_transaction()
    {
        var result = _reader.Read(new SyntheticNewRx { Transaction = "RxRenewalRequest" }.ToBytes());

        Assert.That(result.Code, Is.EqualTo(RejectionCode.UnsupportedTransaction));
        Assert.That(result.Reason, Does.Contain("RxRenewalRequest"));
    }

    [Test]
    public void Rejects_a_message_without_a_MessageID()
    {
        Assert.That(_reader.Read(new SyntheticNewRx { MessageId = " " }.ToBytes()).Code, Is.EqualTo(RejectionCode.MissingMessageId));
    }
}
