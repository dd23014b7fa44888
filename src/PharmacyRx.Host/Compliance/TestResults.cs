using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace PharmacyRx.Host.Compliance;

/// <summary>
/// The test results <c>scripts/test.sh</c> writes (Visual Studio TRX, one file per test assembly, in <c>TestResults/</c>):
/// each test with the paragraphs it proves (its <c>Rule</c> properties, as its output names them) and its last outcome.
/// A test found in several files counts with its latest run.
/// </summary>
public sealed class TestResults
{
    /// <summary>How a test's output names a paragraph it proves, one per line.</summary>
    public const string RuleMarker = "PharmacyRx test proves ";

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
            test => $"{(string?)test.Element(Trx + "TestMethod")?.Attribute("className")}.{(string?)test.Attribute("name")}",
            StringComparer.Ordinal);
        foreach (var result in document.Descendants(Trx + "UnitTestResult"))
        {
            if (definitions.TryGetValue((string?)result.Attribute("testId") ?? "", out var name))
            {
                var ended = DateTimeOffset.TryParse((string?)result.Attribute("endTime"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                    ? at : DateTimeOffset.MinValue;
                var rules = RulesWritten(result).Distinct(StringComparer.Ordinal).ToArray();
                yield return new Result(name, ((string?)result.Attribute("outcome") ?? "unknown").ToLowerInvariant(), ended, rules);
            }
        }
    }

    // The TRX logger keeps a test's output but not its NUnit properties, so each test writes the paragraphs it proves to its
    // output (the test suite's RuleOutputAttribute), one a line: "PharmacyRx test proves 1311.205(b)(6)".
    private static IEnumerable<string> RulesWritten(XElement result) =>
        ((string?)result.Element(Trx + "Output")?.Element(Trx + "StdOut") ?? "")
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith(RuleMarker, StringComparison.Ordinal))
            .Select(line => line[RuleMarker.Length..].Trim());

}
