using System.Xml;
using System.Xml.Schema;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Receiving;

/// <summary><c>schemas/script-subset.xsd</c> accepts what the reader reads, in every shape it supports.</summary>
public class ScriptSubsetSchemaTests
{
    private static readonly string Root = RepositoryRoot.Path;

    private static XmlSchemaSet Schema()
    {
        var schemas = new XmlSchemaSet { XmlResolver = null };
        schemas.Add(ScriptMessageReaderNamespace, Path.Combine(Root, "schemas", "script-subset.xsd"));
        schemas.Compile();
        return schemas;
    }

    private const string ScriptMessageReaderNamespace = PharmacyRx.Core.Receiving.ScriptMessageReader.Namespace;

    private static IEnumerable<string> Samples() => Directory.GetFiles(Path.Combine(Root, "deploy", "samples"), "*.xml")
        .Where(path => !Path.GetFileName(path).Contains("rejected", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(Samples))]
    public void Accepts_the_shipped_sample(string path) => AssertValid(File.ReadAllBytes(path));

    [Test]
    public void Accepts_the_later_version_shape_and_a_CancelRx()
    {
        AssertValid(new SyntheticNewRx { LaterVersionShape = true }.ToBytes());
        AssertValid(new SyntheticNewRx { Transaction = "CancelRx", RelatesToMessageId = "MSG-0000" }.ToBytes());
    }

    [TestCase("RxRenewalResponse", "Approved")]
    [TestCase("RxRenewalResponse", "Replace")]
    [TestCase("RxRenewalResponse", "Denied")]
    [TestCase("RxChangeResponse", "ApprovedWithChanges")]
    [TestCase("RxChangeResponse", "Validated")]
    public void Accepts_the_prescribers_answers_in_both_versions(string transaction, string response)
    {
        AssertValid(new SyntheticNewRx { Transaction = transaction, Response = response }.ToBytes());
        AssertValid(new SyntheticNewRx { Transaction = transaction, Response = response, Version = "2023011", LaterVersionShape = true }.ToBytes());
    }

    [Test]
    public void Accepts_Status_Error_Verify_and_CancelRxResponse()
    {
        foreach (var kind in SyntheticTransaction.Kinds)
        {
            AssertValid(new SyntheticTransaction(kind).ToBytes());
        }
    }

    [Test]
    public void Refuses_a_Message_in_another_namespace()
    {
        var xml = new SyntheticNewRx().ToXml().Replace(ScriptMessageReaderNamespace, "urn:not-script", StringComparison.Ordinal);

        Assert.That(Validate(System.Text.Encoding.UTF8.GetBytes(xml)), Is.Not.Empty);
    }

    // Attributes (Qualifier, Version, the *Version attributes of Message) are open by design: lax, so only warned about.
    private static void AssertValid(byte[] xml) =>
        Assert.That(Validate(xml).Where(problem => !problem.Contains("for the attribute", StringComparison.Ordinal)), Is.Empty);

    private static List<string> Validate(byte[] xml)
    {
        var problems = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = Schema(), DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) => problems.Add($"{e.Severity}: {e.Message}");
        using var reader = XmlReader.Create(new MemoryStream(xml), settings);
        while (reader.Read())
        {
        }
        return problems;
    }
}
