using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace PharmacyRx.Host.Compliance;

/// <summary>
/// The test results <c>scripts/test.sh</c> writes (Visual Studio TRX, one file per test assembly, in <c>TestResults/</c>):
/// each test with the paragraphs it proves (its <c>Rule</c> properties) and its last outcome. A test found in several
/// files counts with its latest run.
/// </summary>
public sealed class TestResults
{
    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    private TestResults(string source, IReadOnlyList<Result> results, IReadOnlyList<string> problems)
    {
        Source = source;
        Results = results;
        Problems = problems;
    }

    /// <summary>One test: its full name, its outcome as the runner wrote it in lower case, when it ended, and the paragraphs it proves.</summary>
    public sealed record Result(string Name, string Outcome, DateTimeOffset EndedAt, IReadOnlyList<string> Rules);

    /// <summary>The file or folder read.</summary>
    public string Source { get; }

    public IReadOnlyList<Result> Results { get; }

    /// <summary>Files that could not be read, with why.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>The tests that prove <paramref name="paragraph"/>, by name.</summary>
    public IReadOnlyList<TestOutcome> For(string paragraph) => Results
        .Where(r => r.Rules.Contains(paragraph, StringComparer.Ordinal))
        .Select(r => new TestOutcome(r.Name, r.Outcome))
        .ToArray();

    /// <summary>Reads a TRX file, or every <c>*.trx</c> in a folder.</summary>
    public static TestResults Read(string path)
    {
        var files = Directory.Exists(path) ? Directory.GetFiles(path, "*.trx", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray()
            : File.Exists(path) ? [path] : [];
        var problems = new List<string>();
        if (files.Length == 0)
        {
            problems.Add($"no test results (*.trx) at {path}: run ./scripts/test.sh");
        }
        var latest = new Dictionary<string, Result>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            try
            {
                foreach (var result in ReadFile(file))
                {
                    if (!latest.TryGetValue(result.Name, out var seen) || seen.EndedAt <= result.EndedAt)
                    {
                        latest[result.Name] = result;
                    }
                }
            }
            catch (XmlException ex)
            {
                problems.Add($"{file} is not a readable TRX file: {ex.Message}");
            }
        }
        return new TestResults(path, latest.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ToArray(), problems);
    }

    private static IEnumerable<Result> ReadFile(string file)
    {
        using var reader = XmlReader.Create(file, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        var document = XDocument.Load(reader);
        var definitions = document.Descendants(Trx + "UnitTest").ToDictionary(
            test => (string?)test.Attribute("id") ?? "",
            test => (Name: $"{(string?)test.Element(Trx + "TestMethod")?.Attribute("className")}.{(string?)test.Attribute("name")}", Rules: RulesOf(test)),
            StringComparer.Ordinal);
        foreach (var result in document.Descendants(Trx + "UnitTestResult"))
        {
            if (definitions.TryGetValue((string?)result.Attribute("testId") ?? "", out var test))
            {
                var ended = DateTimeOffset.TryParse((string?)result.Attribute("endTime"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                    ? at : DateTimeOffset.MinValue;
                yield return new Result(test.Name, ((string?)result.Attribute("outcome") ?? "unknown").ToLowerInvariant(), ended, test.Rules);
            }
        }
    }

    // The TRX logger writes a test's traits as <Properties><Property><Key>Rule</Key><Value>…</Value></Property></Properties>;
    // some versions write Key and Value as attributes.
    private static string[] RulesOf(XElement test) => test.Elements(Trx + "Properties").Elements(Trx + "Property")
        .Select(p => (Key: (string?)p.Attribute("Key") ?? (string?)p.Element(Trx + "Key"), Value: (string?)p.Attribute("Value") ?? (string?)p.Element(Trx + "Value")))
        .Where(p => p.Key == ComplianceCatalogue.RuleProperty && !string.IsNullOrWhiteSpace(p.Value))
        .Select(p => p.Value!.Trim())
        .Distinct(StringComparer.Ordinal)
        .ToArray();
}
