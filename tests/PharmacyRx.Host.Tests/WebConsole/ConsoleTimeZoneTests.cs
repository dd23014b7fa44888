using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Playwright;
using PharmacyRx.Core.Clock;
using PharmacyRx.Host.Api;
using PharmacyRx.Testing;
using static Microsoft.Playwright.Assertions;

namespace PharmacyRx.Host.Tests.WebConsole;

/// <summary>
/// The dispense form in a browser set to the pharmacy's zone (1304.22(c)): it offers the pharmacy's today, records it
/// and refuses tomorrow, late in the evening and just after midnight, west and east of UTC and on the days clocks change.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ConsoleTimeZoneTests
{
    private const string Chicago = "America/Chicago";
    private const string Tokyo = "Asia/Tokyo";

    private ConsoleBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _browser = await ConsoleBrowser.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
    }

    private static IEnumerable<TestCaseData> Evenings()
    {
        yield return new TestCaseData(Chicago, "19:08", 0).SetName("In_Chicago_at_19_08_the_form_offers_that_evening_s_date_and_records_it");
        yield return new TestCaseData(Chicago, "23:30", 0).SetName("In_Chicago_at_23_30_the_form_offers_today");
        yield return new TestCaseData(Chicago, "00:30", 0).SetName("In_Chicago_at_00_30_the_form_offers_the_new_day");
        yield return new TestCaseData(Tokyo, "23:30", 0).SetName("In_Tokyo_at_23_30_the_form_offers_today");
        yield return new TestCaseData(Tokyo, "00:30", 0).SetName("In_Tokyo_at_00_30_the_form_offers_the_new_day_while_UTC_is_the_day_before");
        yield return new TestCaseData(Chicago, "23:30", 1).SetName("In_Chicago_at_23_30_on_the_23_hour_day_the_form_offers_that_day");
        yield return new TestCaseData(Chicago, "23:30", -1).SetName("In_Chicago_at_23_30_on_the_25_hour_day_the_form_offers_that_day");
    }

    /// <summary><paramref name="clockChange"/>: 0 a day soon, 1 the next day clocks go forward, -1 the next day they go back.</summary>
    [TestCaseSource(nameof(Evenings))]
    [Property("Rule", "1311.205(b)(10)")]
    public async Task A_pharmacist_dispenses_on_the_pharmacys_date(string zone, string wallTime, int clockChange)
    {
        var day = clockChange == 0 ? PharmacyHours.Soon(zone) : PharmacyHours.NextClockChange(zone, forward: clockChange > 0);
        var at = TimeOnly.Parse(wallTime, CultureInfo.InvariantCulture);
        var wall = new PharmacyClock(TimeProvider.System, TimeZoneInfo.FindSystemTimeZoneById(zone));
        await using var console = new ConsoleFixture(_browser, "ZONE");
        await console.InstallAsync();
        await console.AddUserAsync("pharm1", "Pharmacist", "SP");
        // Received a minute before the pharmacist opens it, on the same wall-clock day.
        await console.StartAsync(new ManualTimeProvider(wall.At(day, at.ToTimeSpan()).AddMinutes(-1)),
            new Dictionary<string, string?> { ["Pharmacy:TimeZone"] = zone, ["Clock:Enabled"] = "false" });
        var receiptId = await ReceiveAsync(console, day);
        console.Clock.Advance(TimeSpan.FromMinutes(1));

        var page = await console.NewPageAsync(zone);
        await console.SignInOnAsync(page, "pharm1");
        await page.GotoAsync($"/prescriptions/{receiptId}");

        var today = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await Expect(page.Locator("#dateDispensed")).ToHaveValueAsync(today);
        await Expect(page.GetByText($"Date dispensed ({zone})")).ToBeVisibleAsync();
        await Expect(page.Locator("main")).ToContainTextAsync($"{today} {at.AddMinutes(-1):HH:mm}");
        await page.Locator("#quantity").FillAsync("5");
        await page.Locator("#dispenser").FillAsync("SP");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Dispensing recorded");
        await Expect(page.Locator("#dispensing-history + table tbody tr")).ToContainTextAsync(today);

        await page.Locator("#quantity").FillAsync("5");
        await page.Locator("#dateDispensed").FillAsync(day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.Locator("#dispenser").FillAsync("SP");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }).ClickAsync();
        await Expect(page.Locator("#refusal")).ToContainTextAsync("DateInFuture");
    }

    private static async Task<string> ReceiveAsync(ConsoleFixture console, DateOnly day)
    {
        var message = new SyntheticNewRx
        {
            MessageId = "ZONE-1",
            WrittenDate = day.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            SentTime = console.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.f'Z'", CultureInfo.InvariantCulture),
        };
        using var client = console.Service.Client(console.SenderKey);
        using var content = new ByteArrayContent(message.ToBytes());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        using var response = await client.PostAsync("/api/inbound", content);
        var outcome = await response.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
        Assert.That(outcome!.Status, Is.EqualTo("ReceiptSigned"), outcome.ReasonCode);
        return outcome.ReceiptId.ToString("D");
    }
}
