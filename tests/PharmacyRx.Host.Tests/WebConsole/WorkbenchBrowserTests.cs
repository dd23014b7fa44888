using System.Net.Http.Headers;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using PharmacyRx.Testing;
using static Microsoft.Playwright.Assertions;

namespace PharmacyRx.Host.Tests.WebConsole;

/// <summary>
/// The prescription page as a pharmacist's workbench, at a counter screen of 1366×900: the standing as a headline, the
/// one action it calls for in view, a partial fill with its remainder and deadline, destructive actions that ask first,
/// related records by Rx number. axe-core runs on each page opened; docs/console-workbench.md has the measurements.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class WorkbenchBrowserTests
{
    private const int CounterWidth = 1366;

    private readonly ConsoleFixture _console = new("BENCH", CounterWidth);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await _console.InstallAsync();
        await _console.AddUsersAsync(("pharm1", "Pharmacist", "SP"), ("pharm2", "Pharmacist", "RB"), ("tech1", "Technician", "TT"));
        await _console.StartAsync(new ManualTimeProvider(DateTimeOffset.UtcNow));
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _console.DisposeAsync();

    [Test]
    [Property("Rule", "1311.205(b)(10)")]
    public async Task A_pharmacist_fills_part_of_a_Schedule_II_the_patient_asked_for_and_sees_what_remains_and_by_when()
    {
        var receiptId = await _console.PostAsync(_console.NewRx("Partial"));
        var page = await _console.SignInAsync("pharm1");
        await page.GotoAsync($"/prescriptions/{receiptId}");
        await Expect(page.Locator("#state-title")).ToHaveTextAsync("Ready to dispense");
        await Expect(page.Locator("#remainder")).ToContainTextAsync("20 tablet");

        // Each reason for a partial fill names its deadline before it is chosen.
        var written = DateOnly.FromDateTime(_console.Clock.GetUtcNow().UtcDateTime);
        await Expect(page.GetByLabel("Partial: the pharmacy cannot supply the rest")).ToBeVisibleAsync();
        await Expect(page.Locator("fieldset.fill")).ToContainTextAsync("1306.13(a)");
        await Expect(page.Locator("fieldset.fill")).ToContainTextAsync($"by {written.AddDays(30):yyyy-MM-dd} (21 U.S.C. 829(f))");

        await page.Locator("#quantity").FillAsync("8");
        await page.GetByLabel("Partial: the patient or prescriber asked for it").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Partial fill recorded");
        await Expect(page.Locator("#state-title")).ToHaveTextAsync("Partly dispensed: 12 tablet remain");
        await Expect(page.Locator(".state")).ToContainTextAsync($"by {written.AddDays(30):yyyy-MM-dd} (21 U.S.C. 829(f)(2)");
        // The next fill offers the remainder.
        await Expect(page.Locator("#quantity")).ToHaveValueAsync("12");
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "prescription-partial-fill", fullPage: false);

        // Five days on, past 72 hours but within 30 days of writing, the remainder is dispensed.
        _console.Clock.Advance(TimeSpan.FromDays(5));
        await _console.SignInOnAsync(page, "pharm1");
        await page.GotoAsync($"/prescriptions/{receiptId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }).ClickAsync();
        await Expect(page.Locator("#state-title")).ToHaveTextAsync("Fully dispensed");
    }

    [Test]
    [Property("Rule", "1311.205(b)(10)")]
    public async Task When_the_pharmacy_cannot_supply_a_Schedule_II_the_remainder_has_72_hours()
    {
        var receiptId = await _console.PostAsync(_console.NewRx("Shortage"));
        var page = await _console.SignInAsync("pharm1");
        await page.GotoAsync($"/prescriptions/{receiptId}");
        await page.Locator("#quantity").FillAsync("5");
        await page.GetByLabel("Partial: the pharmacy cannot supply the rest").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }).ClickAsync();
        var today = DateOnly.FromDateTime(_console.Clock.GetUtcNow().UtcDateTime);
        await Expect(page.Locator(".state")).ToContainTextAsync($"by {today.AddDays(3):yyyy-MM-dd} (1306.13(a)");

        // A partial fill that would leave nothing is refused at the top, the choice kept.
        await page.Locator("#quantity").FillAsync("15");
        await page.GetByLabel("Partial: the pharmacy cannot supply the rest").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }).ClickAsync();
        await Expect(page.Locator("#refusal")).ToContainTextAsync("NotPartial");
        await Expect(page.Locator("#refusal")).ToBeFocusedAsync();
        await Expect(page.GetByLabel("Partial: the pharmacy cannot supply the rest")).ToBeCheckedAsync();
        await Expect(page.Locator("#quantity")).ToHaveValueAsync("15");
    }

    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    public async Task Voiding_asks_for_a_confirmation_that_names_the_consequence_and_the_server_requires_it()
    {
        var receiptId = await _console.PostAsync(_console.NewRx("Voided"));
        var page = await _console.SignInAsync("pharm1");
        await page.GotoAsync($"/prescriptions/{receiptId}");
        // Rare actions wait behind "More actions".
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Void this prescription" })).Not.ToBeVisibleAsync();
        await page.GetByText("More actions").ClickAsync();
        await page.Locator("#void-reason").FillAsync("Entered against the wrong patient");
        await Expect(page.GetByLabel("Voiding ends this prescription for good")).ToBeVisibleAsync();

        // Posted without the confirmation (as a script or an old browser might): refused, the reason kept.
        var token = await page.Locator("#void-form input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        var unconfirmed = await page.APIRequest.PostAsync($"/prescriptions/{receiptId}?handler=Void", new()
        {
            Form = page.APIRequest.CreateFormData().Set("__RequestVerificationToken", token!).Set("reason", "Entered against the wrong patient"),
            MaxRedirects = 0,
        });
        Assert.That(unconfirmed.Status, Is.EqualTo(422));
        Assert.That(await unconfirmed.TextAsync(), Does.Contain("NotConfirmed").And.Contain("1311.200(g)-(h)"));

        await page.GetByLabel("Voiding ends this prescription for good").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Void this prescription" }).ClickAsync();
        await Expect(page.Locator("#state-title")).ToHaveTextAsync("Voided");
        await Expect(page.Locator(".state")).ToContainTextAsync("Entered against the wrong patient");
        // Nothing that cannot apply is offered any more: no dispensing, no second void, no transfer.
        await Expect(page.Locator("#action-title")).ToHaveTextAsync("Nothing to do here");
        await Expect(page.Locator("#void-form, #transfer-form, #dispense-form")).ToHaveCountAsync(0);
        await ConsoleBrowser.AssertPageQualityAsync(page);
    }

    [Test]
    public async Task A_cancelled_prescription_and_its_CancelRx_name_each_other_by_Rx_number_and_offer_no_dispensing()
    {
        var rx = _console.NewRx("Cancelled");
        var receiptId = await _console.PostAsync(rx);
        var cancelId = await _console.PostAsync(rx with
        {
            Transaction = "CancelRx", MessageId = rx.MessageId + "-CX", RelatesToMessageId = rx.MessageId, DeaNumber = "",
        });
        var page = await _console.SignInAsync("pharm1");
        await page.GotoAsync($"/prescriptions/{receiptId}");
        await Expect(page.Locator("#state-title")).ToHaveTextAsync("Cancelled by the prescriber");
        await Expect(page.Locator("#dispense-form")).ToHaveCountAsync(0);
        var number = (await page.Locator("h1").TextContentAsync())!.Replace("Prescription ", "", StringComparison.Ordinal).Trim();
        await ConsoleBrowser.AssertPageQualityAsync(page);

        await page.Locator(".state").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/prescriptions/{cancelId}$"));
        await Expect(page.Locator("#state-title")).ToContainTextAsync("CancelRx: not a prescription");
        await Expect(page.Locator(".state").GetByRole(AriaRole.Link, new() { Name = $"Rx {number}" })).ToBeVisibleAsync();
        // A CancelRx takes no prescription form: no dispensing, correction, transfer or void; a note only.
        await Expect(page.Locator("#dispense-form, #review-form, #correct-form, #transfer-form, #void-form")).ToHaveCountAsync(0);
        await ConsoleBrowser.AssertPageQualityAsync(page);
    }

    [Test]
    public async Task An_idle_counter_screen_locks_hides_the_patient_and_its_user_unlocks_back_to_the_same_page()
    {
        var receiptId = await _console.PostAsync(_console.NewRx("Screenlocked"));
        var page = await _console.SignInAsync("pharm1");
        await page.GotoAsync($"/prescriptions/{receiptId}");
        await Expect(page.Locator("#elements")).ToContainTextAsync("Screenlocked");

        _console.Clock.Advance(TimeSpan.FromMinutes(6));
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This screen is locked" })).ToBeVisibleAsync();
        await Expect(page.Locator("body")).Not.ToContainTextAsync("Screenlocked");
        await Expect(page.GetByRole(AriaRole.Navigation)).ToHaveCountAsync(0);
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "lock", fullPage: false);

        // Enforced by the server, not the script: the session's every other request, a page or a form, is the lock screen.
        var queue = await page.APIRequest.GetAsync("/queue", new() { MaxRedirects = 0 });
        Assert.That((queue.Status, queue.Headers["location"]), Is.EqualTo((302, "/lock?return=%2Fqueue")));
        var asReceived = await page.APIRequest.GetAsync($"/prescriptions/{receiptId}?handler=AsReceived", new() { MaxRedirects = 0 });
        Assert.That(asReceived.Status, Is.EqualTo(302));

        await page.GetByLabel("Password of pharm1").FillAsync(_console.Passwords["pharm1"]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Unlock" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/prescriptions/{receiptId}$"));
        await Expect(page.Locator("#elements")).ToContainTextAsync("Screenlocked");
    }

    [Test]
    public async Task Signing_in_again_after_the_locked_session_ended_returns_to_the_page_it_showed()
    {
        var receiptId = await _console.PostAsync(_console.NewRx("Longaway"));
        var page = await _console.SignInAsync("pharm1");
        await page.GotoAsync($"/prescriptions/{receiptId}");
        _console.Clock.Advance(TimeSpan.FromMinutes(6));
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This screen is locked" })).ToBeVisibleAsync();

        // Past the 15 minutes after which an idle session ends: the unlock says so, and signing in again goes back to the page.
        _console.Clock.Advance(TimeSpan.FromMinutes(10));
        await page.GetByLabel("Password of pharm1").FillAsync(_console.Passwords["pharm1"]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Unlock" }).ClickAsync();
        await Expect(page.Locator("#lock-problem")).ToContainTextAsync("ended");
        await page.GetByLabel("User name").FillAsync("pharm1");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(_console.Passwords["pharm1"]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/prescriptions/{receiptId}$"));
        await Expect(page.Locator("#elements")).ToContainTextAsync("Longaway");
    }

    [Test]
    public async Task The_screen_locks_itself_when_nobody_touches_it_for_the_lock_time()
    {
        var receiptId = await _console.PostAsync(_console.NewRx("Walkedaway"));
        var page = await _console.NewPageAsync();
        await page.Clock.InstallAsync();
        await _console.SignInOnAsync(page, "pharm1");
        await page.GotoAsync($"/prescriptions/{receiptId}");
        await Expect(page.Locator("#elements")).ToContainTextAsync("Walkedaway");

        await page.Clock.FastForwardAsync("05:01");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This screen is locked" })).ToBeVisibleAsync();
        await Expect(page.Locator("body")).Not.ToContainTextAsync("Walkedaway");
        // Locked in the store: opening the page again shows the lock screen, not the patient.
        await page.GotoAsync($"/prescriptions/{receiptId}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This screen is locked" })).ToBeVisibleAsync();
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task A_second_person_signs_in_at_a_locked_counter_and_the_first_returns_to_their_page_each_audited_as_themselves()
    {
        var first = await _console.PostAsync(_console.NewRx("Firstperson"));
        var second = await _console.PostAsync(_console.NewRx("Secondperson"));
        var page = await _console.SignInAsync("pharm1");
        await page.GotoAsync($"/prescriptions/{first}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Lock screen" }).ClickAsync();
        await Expect(page.Locator("body")).Not.ToContainTextAsync("Firstperson");

        await page.GetByLabel("User name").FillAsync("pharm2");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(_console.Passwords["pharm2"]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in as someone else" }).ClickAsync();
        await _console.ChangeOneTimePasswordAsync(page, "pharm2");
        await Expect(page.Locator("header")).ToContainTextAsync("Signed in as pharm2");
        await page.GotoAsync($"/prescriptions/{second}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Dispensing recorded");
        await Expect(page.Locator("#dispensing-history + table")).ToContainTextAsync("RB");

        await page.GetByRole(AriaRole.Button, new() { Name = "Lock screen" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Unlock as pharm2" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Return as pharm1" })).ToBeVisibleAsync();
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "lock-two-people", fullPage: false);

        // A wrong password is refused, nothing opens.
        await page.GetByLabel("Password of pharm1").FillAsync("not-pharm1s-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Return as pharm1" }).ClickAsync();
        await Expect(page.Locator("#lock-problem")).ToContainTextAsync("wrong");
        await page.GetByLabel("Password of pharm1").FillAsync(_console.Passwords["pharm1"]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Return as pharm1" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/prescriptions/{first}$"));
        await Expect(page.Locator("header")).ToContainTextAsync("Signed in as pharm1");
        await Expect(page.Locator("#elements")).ToContainTextAsync("Firstperson");

        // Signing out leaves the lock screen offering the one still waiting.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Return as pharm2" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Unlock as pharm1" })).ToHaveCountAsync(0);

        await using var connection = new SqliteConnection($"Data Source={_console.Pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        Assert.That(await connection.ExecuteScalarAsync<string>("SELECT recorded_by FROM dispensings WHERE receipt_id = @Id", new { Id = second }), Is.EqualTo("pharm2"));
        var events = (await connection.QueryAsync<(string Type, string Actor)>(
            "SELECT event_type, actor FROM audit_events WHERE event_type IN ('SessionLocked', 'SessionUnlocked', 'LoginFailed') ORDER BY sequence")).ToList();
        Assert.That(events, Does.Contain(("SessionLocked", "pharm1")).And.Contain(("SessionLocked", "pharm2")).And.Contain(("SessionUnlocked", "pharm1"))
            .And.Contain(("LoginFailed", "pharm1")));
    }

    [Test]
    public async Task A_rejected_record_says_so_and_offers_a_note_only()
    {
        using var client = _console.Service.Client(_console.SenderKey);
        using var content = new ByteArrayContent("not a SCRIPT message"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        using var response = await client.PostAsync("/api/inbound", content);
        var receiptId = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("receiptId").GetString();
        var page = await _console.SignInAsync("pharm1");
        await page.GotoAsync($"/prescriptions/{receiptId}");
        await Expect(page.Locator("#state-title")).ToContainTextAsync("Rejected");
        await Expect(page.Locator("#action-title")).ToHaveTextAsync("Nothing to do here");
        await page.GetByText("More actions").ClickAsync();
        await Expect(page.Locator("details.more form")).ToHaveCountAsync(1);
        await Expect(page.Locator("#annotate-Note-form")).ToBeVisibleAsync();
        await ConsoleBrowser.AssertPageQualityAsync(page);
    }

    /// <summary>The numbers in docs/console-workbench.md: pointer clicks and the pixels a person scrolls to reach the control and to see the result.</summary>
    [Test]
    public async Task The_common_actions_and_their_results_are_in_view_without_scrolling_at_1366_by_900()
    {
        var page = await _console.SignInAsync("pharm1");
        var lines = new List<string>();

        var review = await _console.PostAsync(_console.NewRx("Measured") with { SignatureIndicator = null });
        await page.GotoAsync($"/prescriptions/{review}");
        var reach = await ScrollToSeeAsync(page.GetByRole(AriaRole.Button, new() { Name = "Record review" }));
        await page.GetByLabel("What you checked").FillAsync("Confirmed with the prescriber");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record review" }).ClickAsync();
        lines.Add($"review | 2 | {reach} | {await ScrollToSeeAsync(page.GetByRole(AriaRole.Status))}");

        reach = await ScrollToSeeAsync(page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }));
        var stale = await _console.SignInAsync("pharm2");
        await stale.GotoAsync(page.Url);
        await page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }).ClickAsync();
        lines.Add($"dispense | 1 | {reach} | {await ScrollToSeeAsync(page.GetByRole(AriaRole.Status))}");

        reach = await ScrollToSeeAsync(stale.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }));
        await stale.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }).ClickAsync();
        lines.Add($"refused second CII fill | 1 | {reach} | {await ScrollToSeeAsync(stale.Locator("#refusal"))}");

        var partial = await _console.PostAsync(_console.NewRx("Measured"));
        await page.GotoAsync($"/prescriptions/{partial}");
        reach = await ScrollToSeeAsync(page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }));
        await page.Locator("#quantity").FillAsync("10");
        await page.GetByLabel("Partial: the patient or prescriber asked for it").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }).ClickAsync();
        lines.Add($"partial fill | 3 | {reach} | {await ScrollToSeeAsync(page.Locator(".state"))}");

        TestContext.Out.WriteLine("action | clicks | scroll to the control (px) | scroll to the result (px)");
        lines.ForEach(TestContext.Out.WriteLine);
        Assert.That(lines.Select(line => line.Split(" | ")[2..].Select(int.Parse).Sum()), Is.All.Zero, string.Join('\n', lines));
    }

    // Pixels the window must scroll, from where it is, to show the whole element.
    private static Task<int> ScrollToSeeAsync(ILocator element) =>
        element.EvaluateAsync<int>("e => Math.max(0, Math.ceil(e.getBoundingClientRect().bottom - window.innerHeight))");
}
