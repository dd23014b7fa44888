using System.Net;
using System.Text.Json;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Clock;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// Every date, number and page parameter of the API and the command line at its edges (the type's minimum and maximum,
/// the accepted range's ends and one past them, empty): an answer or a refusal naming the range, never a fault.
/// Real HTTP on loopback.
/// </summary>
[TestFixture]
public sealed class ParameterEdgeTests
{
    private static readonly string[] Days = ["0001-01-01", "1899-12-31", "1900-01-01", "2999-12-31", "3000-01-01", "9999-12-31", "", "2026-02-30"];

    private static bool InRange(string day) => day is "" or "1900-01-01" or "2999-12-31";

    [Test]
    public async Task Every_date_number_and_page_parameter_of_the_API_is_answered_or_refused_naming_its_range()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "insp1", DefaultRoles.Inspector);
        using var inspector = await pharmacy.SignedInAsync("insp1");
        var faults = new List<string>();

        async Task Expect(HttpClient client, string url, bool accepted, string range)
        {
            using var response = await client.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            var refused = response.StatusCode == HttpStatusCode.BadRequest;
            var answered = response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound;
            if (accepted ? !answered : !refused || !Detail(body).Contains(range, StringComparison.Ordinal))
            {
                faults.Add($"{url}: {(int)response.StatusCode} {body}");
            }
        }

        foreach (var day in Days)
        {
            var range = day == "2026-02-30" ? "yyyy-MM-dd" : DayRange.Text;
            foreach (var name in new[] { "from", "to" })
            {
                await Expect(inspector, $"/api/exports?format=csv&{name}={day}", InRange(day), range);
            }
            foreach (var name in new[] { "dispensedFrom", "dispensedTo", "receivedFrom", "receivedTo" })
            {
                await Expect(inspector, $"/api/prescriptions?{name}={day}", InRange(day), day == "2026-02-30" ? "" : range);
            }
            if (day.Length > 0)
            {
                await Expect(admin, $"/api/audit/reports/{day}", InRange(day), range);
            }
        }
        foreach (var (page, accepted) in new[] { ("0", false), ("1", true), ("-1", false), ("2147483647", false), ("2147483648", false), ("", true) })
        {
            await Expect(inspector, $"/api/prescriptions?page={page}", accepted, "page is 1 or more");
        }
        foreach (var (size, accepted) in new[] { ("0", false), ("1", true), ("200", true), ("201", false), ("-1", false), ("2147483648", false), ("", true) })
        {
            await Expect(inspector, $"/api/prescriptions?pageSize={size}", accepted, "pageSize 1 to 200");
        }
        foreach (var (number, accepted) in new[] { ("0", false), ("-1", false), ("1", true), ("9223372036854775807", true), ("9223372036854775808", false), ("", true) })
        {
            await Expect(inspector, $"/api/prescriptions?number={number}", accepted, "prescription number");
        }

        Assert.That(faults, Is.Empty);
    }

    [TestCase("--to", "9999-12-31")]
    [TestCase("--to", "3000-01-01")]
    [TestCase("--from", "0001-01-01")]
    [TestCase("--from", "1899-12-31")]
    public async Task An_export_day_outside_the_range_exits_2_naming_the_range(string option, string day)
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        using var folder = new PharmacyRx.Testing.TempFolder();

        var run = await pharmacy.RunAsync("export", option, day, "--out", folder.File("x.csv"));

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain(DayRange.Text));
        Assert.That(File.Exists(folder.File("x.csv")), Is.False);
    }

    [TestCase("1900-01-01", 0)]
    [TestCase("2999-12-31", 0)]
    public async Task An_export_day_at_the_ends_of_the_range_exports(string day, int exitCode)
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        using var folder = new PharmacyRx.Testing.TempFolder();

        var run = await pharmacy.RunAsync("export", "--from", day, "--to", day, "--out", folder.File("x.csv"));

        Assert.That(run.ExitCode, Is.EqualTo(exitCode), run.Error);
    }

    [TestCase("9999-12-31")]
    [TestCase("0001-01-01")]
    [TestCase("3000-01-01")]
    public async Task An_audit_report_day_outside_the_range_exits_2_naming_the_range(string day)
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();

        var run = await pharmacy.RunAsync("audit", "report", "--date", day);

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain(DayRange.Text));
    }

    private static string Detail(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
