using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Json.Schema;
using PharmacyRx.Host.Compliance;
using PharmacyRx.Host.Tests.Api;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Compliance;

/// <summary>
/// <c>pharmacyrx compliance</c>: its formats and exit code, the JSON against its documented schema, the tests read from
/// TRX results, <c>/health/ready</c>'s count and the daily audit report's link.
/// </summary>
public class ComplianceCommandTests
{
    // Read once: the schema registers itself by its $id.
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "schemas", "compliance-report.schema.json"))));

    // The command line reads its configuration from the process environment, as the installed command does.
    private static async Task<InstalledPharmacy.Run> RunWithoutClockAsync(InstalledPharmacy pharmacy, params string[] args)
    {
        Environment.SetEnvironmentVariable("Clock__Enabled", "false");
        try
        {
            return await pharmacy.RunAsync(args);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Clock__Enabled", null);
        }
    }

    [Test]
    public async Task Exits_1_while_a_paragraph_fails_and_0_once_none_does()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();

        var fresh = await RunWithoutClockAsync(pharmacy, "compliance");
        var backup = await pharmacy.RunAsync("backup", "run");
        var backedUp = await RunWithoutClockAsync(pharmacy, "compliance");

        Assert.That(fresh.ExitCode, Is.EqualTo(1), fresh.Error);
        Assert.That(fresh.Output, Does.Contain("FAIL 1311.205(b)(17) Daily backup of the prescription records\n"));
        Assert.That(fresh.Output, Does.Contain("  Rule: (17) The pharmacy application must back up the controlled substance prescription records daily.\n"));
        Assert.That(fresh.Output, Does.EndWith(" warn, 2 fail\n"));
        Assert.That(backup.ExitCode, Is.Zero, backup.Error);
        Assert.That(backedUp.ExitCode, Is.Zero, backedUp.Output);
        Assert.That(backedUp.Output, Does.EndWith(" warn, 0 fail\n"));
    }

    [Test]
    public async Task The_json_output_matches_the_documented_schema()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var results = WriteTrx(pharmacy.Folder, "run.trx", ("Passes", "Passed", "1311.205(b)(6)", "2026-11-30T10:00:00Z"));

        var run = await RunWithoutClockAsync(pharmacy, "compliance", "--format", "json", "--test-results", results);

        var schema = Schema.Value;
        using var json = JsonDocument.Parse(run.Output);
        var evaluation = schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.That(evaluation.IsValid, Is.True,
            () => string.Join("\n", (evaluation.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")));
        Assert.That(json.RootElement.GetProperty("paragraphs").GetArrayLength(), Is.EqualTo(26));
        Assert.That(json.RootElement.GetProperty("exitCode").GetInt32(), Is.EqualTo(run.ExitCode));
        var b6 = json.RootElement.GetProperty("paragraphs").EnumerateArray().Single(p => p.GetProperty("paragraph").GetString() == "1311.205(b)(6)");
        Assert.That(b6.GetProperty("tests")[0].GetProperty("outcome").GetString(), Is.EqualTo("passed"));
    }

    [Test]
    public void A_document_that_breaks_the_shape_fails_the_schema()
    {
        var schema = Schema.Value;
        using var broken = JsonDocument.Parse("""{ "generatedAt": "2026-12-01T00:00:00Z", "dataFolder": "d", "testResults": null, "summary": { "pass": 1, "warn": 0, "fail": 0 }, "exitCode": 0, "paragraphs": [ { "paragraph": "1311.205(b)(6)", "status": "ok" } ] }""");

        Assert.That(schema.Evaluate(broken.RootElement).IsValid, Is.False);
    }

    [Test]
    public async Task The_html_report_encodes_what_it_shows()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var results = WriteTrx(pharmacy.Folder, "run.trx", ("Shows_<script>alert(1)</script>", "Passed", "1311.205(b)(8)", "2026-11-30T10:00:00Z"));

        var run = await RunWithoutClockAsync(pharmacy, "compliance", "--format", "html", "--test-results", results);

        Assert.That(run.Output, Does.StartWith("<!DOCTYPE html>"));
        Assert.That(run.Output, Does.Contain("<li>passed: Synthetic.Tests.Shows_&lt;script&gt;alert(1)&lt;/script&gt;</li>"));
        Assert.That(run.Output, Does.Not.Contain("<script>"));
    }

    [Test]
    public async Task Lists_each_test_with_its_last_outcome_and_fails_a_paragraph_whose_test_failed_or_that_has_none()
    {
        await using var pharmacy = await CompliancePharmacy.CreateAsync();
        using var results = new TempFolder();
        WriteTrx(results.Path, "older.trx", ("Indicator_is_checked", "Failed", "1311.205(b)(6)", "2026-11-30T10:00:00Z"));
        WriteTrx(results.Path, "newer.trx", ("Indicator_is_checked", "Passed", "1311.205(b)(6)", "2026-11-30T11:00:00Z"),
            ("Dea_number_is_kept", "Failed", "1311.205(b)(7)", "2026-11-30T11:00:00Z"));

        var report = await pharmacy.ReportAsync(results.Path);

        var b6 = report.Paragraphs.Single(p => p.Paragraph == "1311.205(b)(6)");
        Assert.That(b6.Tests, Is.EqualTo(new[] { new TestOutcome("Synthetic.Tests.Indicator_is_checked", "passed") }));
        Assert.That(b6.Status, Is.EqualTo(ComplianceStatus.Pass));
        var b7 = report.Paragraphs.Single(p => p.Paragraph == "1311.205(b)(7)");
        Assert.That(b7.Status, Is.EqualTo(ComplianceStatus.Fail));
        Assert.That(b7.Evidence.Single(e => e.Check == "tests").Detail, Is.EqualTo("1 of 1 test(s) did not pass: Synthetic.Tests.Dea_number_is_kept failed"));
        var b8 = report.Paragraphs.Single(p => p.Paragraph == "1311.205(b)(8)");
        Assert.That(b8.Evidence.Single(e => e.Check == "tests").Detail, Is.EqualTo($"no test in {results.Path} proves this paragraph"));
        Assert.That(b8.Status, Is.EqualTo(ComplianceStatus.Fail));
    }

    [Test]
    public async Task Readiness_shows_how_many_paragraphs_fail()
    {
        await using var api = await PharmacyApi.CreateAsync();
        using var client = InstalledPharmacy.Monitoring(api.CreateClient(), await api.Pharmacy.MonitoringKeyAsync());

        await api.Services.GetRequiredService<ComplianceMonitor>().RefreshAsync(CancellationToken.None);
        var ready = await client.GetFromJsonAsync<JsonElement>("/health/ready");

        var compliance = ready.GetProperty("checks").GetProperty("compliance");
        Assert.That(compliance.GetProperty("status").GetString(), Is.EqualTo("Degraded"));
        Assert.That(compliance.GetProperty("data").GetProperty("failingParagraphs").GetInt32(), Is.EqualTo(2));
        Assert.That(compliance.GetProperty("description").GetString(), Does.Contain("2 fail (1311.205(b)(17), 1311.305): see pharmacyrx compliance"));
    }

    [Test]
    [Property("Rule", "1311.215(b)")]
    public async Task The_daily_audit_report_carries_the_compliance_count_and_names_the_command()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var yesterday = DateOnly.FromDateTime(DateTime.Now).AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var report = await RunWithoutClockAsync(pharmacy, "audit", "report", "--date", yesterday);

        Assert.That(report.ExitCode, Is.Zero, report.Error);
        Assert.That(report.Output, Does.Match(@"\nCompliance self-report: \d+ paragraphs pass, \d+ warn, 2 fail; every paragraph's evidence and tests: pharmacyrx compliance --format html\n"));
    }

    /// <summary>A TRX file as the VSTest logger writes it: each test's output (naming its Rule), its outcome and when it ended.</summary>
    private static string WriteTrx(string folder, string name, params (string Test, string Outcome, string Rule, string EndTime)[] tests)
    {
        XNamespace trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        static string Id(int i) => $"00000000-0000-0000-0000-{i:D12}";
        var document = new XDocument(new XElement(trx + "TestRun",
            new XElement(trx + "Results", tests.Select((t, i) => new XElement(trx + "UnitTestResult",
                new XAttribute("testId", Id(i)), new XAttribute("testName", t.Test), new XAttribute("outcome", t.Outcome), new XAttribute("endTime", t.EndTime),
                new XElement(trx + "Output", new XElement(trx + "StdOut", $"NUnit Adapter: Test execution started\n{RuleOutputAttribute.Marker}{t.Rule}\n"))))),
            new XElement(trx + "TestDefinitions", tests.Select((t, i) => new XElement(trx + "UnitTest",
                new XAttribute("name", t.Test), new XAttribute("id", Id(i)),
                new XElement(trx + "TestMethod", new XAttribute("className", "Synthetic.Tests"), new XAttribute("name", t.Test)))))));
        var path = Path.Combine(folder, name);
        document.Save(path);
        return path;
    }
}
