using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using PharmacyRx.Testing;
using static Microsoft.Playwright.Assertions;

namespace PharmacyRx.Host.Tests.WebConsole;

/// <summary>
/// The console in a real browser, as the people who use it would: a pharmacist works the queue, a technician tries what
/// they may not, pharmacy IT adds a user, a hostile patient name stays text. axe-core runs on every page opened, and each
/// page's screenshot is kept as a test artifact.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ConsoleBrowserTests
{
    private static readonly TimeSpan FiveSeconds = TimeSpan.FromSeconds(5);

    // axe-core on every page opened: the one-time password's page too.
    private readonly ConsoleFixture _console = new("CONSOLE", checkPasswordPage: true);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await _console.InstallAsync();
        await _console.AddUsersAsync(("pharm1", "Pharmacist", "SP"), ("tech1", "Technician", "TT"), ("inspector1", "Inspector", "IN"), ("auditor1", "Auditor", "AU"));
        await _console.StartAsync(new ManualTimeProvider(DateTimeOffset.UtcNow));
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _console.DisposeAsync();

    [Test]
    public async Task A_pharmacist_works_a_new_arrival_from_the_queue_to_a_refused_second_dispensing()
    {
        var page = await _console.SignInAsync("pharm1");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/queue$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Queue", Exact = true })).ToBeVisibleAsync();
        await ConsoleBrowser.AssertPageQualityAsync(page);

        // Posted after the queue opened: it appears without a reload.
        var receiptId = await _console.PostAsync(_console.NewRx("Arrival") with { SignatureIndicator = null });
        var row = page.Locator($"a[href='/prescriptions/{receiptId}']");
        await Expect(row).ToBeVisibleAsync(new() { Timeout = (float)FiveSeconds.TotalMilliseconds });
        await Expect(page.Locator("#NeedsReview")).ToContainTextAsync("(1)");
        await ConsoleBrowser.ScreenshotAsync(page, "queue");

        await row.ClickAsync();
        await Expect(page.Locator("#state-title")).ToContainTextAsync("Needs review");
        await Expect(page.Locator("#verification")).ToContainTextAsync("NOT verified");
        await Expect(page.Locator("#elements")).ToContainTextAsync("20 tablet");
        await Expect(page.Locator("#elements")).ToContainTextAsync("5 mg");
        await Expect(page.Locator("#elements")).ToContainTextAsync("CII");
        await ConsoleBrowser.AssertPageQualityAsync(page);

        // The review is the one action offered, under the headline.
        await Expect(page.Locator("#action-title")).ToHaveTextAsync("Pharmacist review");
        await page.GetByLabel("What you checked").FillAsync("Called the prescriber's office; confirmed by phone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record review" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Pharmacist review recorded");
        // After the review the banner no longer says it is pending.
        await Expect(page.Locator("#state-title")).ToHaveTextAsync("Ready to dispense");
        await Expect(page.Locator(".state")).Not.ToContainTextAsync("must review");
        await Expect(page.Locator("#verification")).ToContainTextAsync("reviewed by pharm1");

        // A colleague at the other counter opened the same prescription before it was dispensed.
        var colleague = await _console.SignInAsync("pharm1");
        await colleague.GotoAsync(page.Url);

        // Nothing to type: the remaining quantity, today and the pharmacist's own initials are filled in.
        await Expect(page.Locator("#quantity")).ToHaveValueAsync("20");
        await Expect(page.Locator("#quantity-unit")).ToHaveTextAsync("tablet");
        await Expect(page.Locator("#dispenser")).ToHaveValueAsync("SP");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Dispensing recorded");
        await Expect(page.Locator("#state-title")).ToHaveTextAsync("Fully dispensed");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" })).ToHaveCountAsync(0);
        await ConsoleBrowser.ScreenshotAsync(page, "prescription");

        // The colleague's second fill is refused at the top, focused; the page now says why nothing more is dispensed.
        await colleague.Locator("#dispenser").FillAsync("S.P.");
        await colleague.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" }).ClickAsync();
        var refusal = colleague.Locator("#refusal");
        await Expect(refusal).ToContainTextAsync("QuantityExceeded");
        await Expect(refusal).ToContainTextAsync("1306.12(a)");
        await Expect(refusal).ToBeFocusedAsync();
        await Expect(refusal).ToBeInViewportAsync(new() { Ratio = 1 });
        await Expect(colleague.Locator("#state-title")).ToHaveTextAsync("Fully dispensed");
        await Expect(colleague.Locator("#dispense-form")).ToHaveCountAsync(0);
        await Expect(colleague.Locator("#dispensing-history + table tbody tr")).ToHaveCountAsync(1);
        await ConsoleBrowser.AssertPageQualityAsync(colleague);
        await ConsoleBrowser.ScreenshotAsync(colleague, "prescription-refused-dispensing", fullPage: false);

        await page.GotoAsync("/search?patient=arriv&sort=Patient&descending=false");
        await Expect(page.Locator("table[aria-label=Results] tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("table[aria-label=Results]")).ToContainTextAsync("Arrival, Alex");
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "search");
    }

    [Test]
    public async Task A_technician_sees_no_dispense_form_and_a_forged_dispense_post_is_refused_and_audited()
    {
        var receiptId = await _console.PostAsync(_console.NewRx("Forgery"));
        var page = await _console.SignInAsync("tech1");
        await page.GotoAsync($"/prescriptions/{receiptId}");
        await Expect(page.Locator("#state-title")).ToHaveTextAsync("Ready to dispense");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Record dispensing" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Void this prescription" })).ToHaveCountAsync(0);
        await ConsoleBrowser.AssertPageQualityAsync(page);

        // The technician's own antiforgery token, taken from a form the page did offer them.
        var token = await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var forged = await page.APIRequest.PostAsync($"/prescriptions/{receiptId}?handler=Dispense", new()
        {
            Form = page.APIRequest.CreateFormData()
                .Set("__RequestVerificationToken", token!).Set("quantity", "20").Set("dateDispensed", _console.Today()).Set("dispenser", "TT"),
            MaxRedirects = 0,
        });
        Assert.That(forged.Status, Is.EqualTo(403));
        Assert.That(await forged.TextAsync(), Does.Contain("Not allowed"));

        await using var connection = new SqliteConnection($"Data Source={_console.Pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        Assert.That(await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM audit_events WHERE event_type = 'UnauthorizedAccessAttempt' AND actor = 'tech1' AND details LIKE '%handler=Dispense%required=Dispense%'"),
            Is.EqualTo(1));
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dispensings WHERE receipt_id = @Id", new { Id = receiptId }), Is.Zero);
    }

    [Test]
    public async Task A_patient_name_with_markup_renders_as_text_and_opens_no_dialog()
    {
        const string hostile = "<img src=x onerror=alert(1)>";
        var receiptId = await _console.PostAsync(_console.NewRx("Markup") with { PatientLastName = hostile });
        var page = await _console.SignInAsync("pharm1");
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };
        await page.GotoAsync("/queue");
        await Expect(page.Locator($"a[href='/prescriptions/{receiptId}']")).ToBeVisibleAsync();
        await Expect(page.Locator("#queue")).ToContainTextAsync(hostile);
        await page.GotoAsync($"/prescriptions/{receiptId}");
        await Expect(page.Locator("#elements")).ToContainTextAsync(hostile);
        Assert.That(await page.Locator("img").CountAsync(), Is.Zero);
        Assert.That(dialogs, Is.Zero);
    }

    [Test]
    public async Task Signing_out_ends_the_session_and_its_cookie_opens_nothing_afterwards()
    {
        var page = await _console.SignInAsync("pharm1");
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "prx_session");
        Assert.That(session.HttpOnly, Is.True);
        Assert.That(session.SameSite, Is.EqualTo(SameSiteAttribute.Strict));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();

        // The old cookie, put back, opens nothing: the session ended in the store, not just in the browser.
        await page.Context.AddCookiesAsync([new Cookie { Name = session.Name, Value = session.Value, Domain = session.Domain, Path = "/" }]);
        await page.GotoAsync("/queue");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    [Test]
    public async Task An_idle_session_returns_to_sign_in()
    {
        var page = await _console.SignInAsync("pharm1");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Queue", Exact = true })).ToBeVisibleAsync();
        _console.Clock.Advance(TimeSpan.FromMinutes(16));
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "sign-in");
    }

    [Test]
    public async Task An_admin_adds_a_user_who_must_change_the_one_time_password_then_signs_in()
    {
        var admin = await _console.SignInAsync("admin");
        await admin.GotoAsync("/admin/users");
        await ConsoleBrowser.AssertPageQualityAsync(admin);
        await admin.GetByLabel("User name").FillAsync("clerk1");
        await admin.GetByLabel("Full name").FillAsync("Synthetic Clerk");
        await admin.GetByLabel("Initials").FillAsync("SC");
        await admin.GetByLabel("Technician").CheckAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
        var oneTime = (await admin.Locator("#secret").TextContentAsync())!.Trim();
        Assert.That(oneTime, Has.Length.GreaterThanOrEqualTo(12));
        await Expect(admin.Locator("table")).ToContainTextAsync("clerk1");
        await ConsoleBrowser.AssertPageQualityAsync(admin);
        await ConsoleBrowser.ScreenshotAsync(admin, "users");

        // Shown once: the page opened again does not show it.
        await admin.GotoAsync("/admin/users");
        await Expect(admin.Locator("#secret")).ToHaveCountAsync(0);
        await admin.GotoAsync("/admin/roles");
        await ConsoleBrowser.AssertPageQualityAsync(admin);
        await ConsoleBrowser.ScreenshotAsync(admin, "roles");

        var clerk = await _console.NewPageAsync();
        await clerk.GotoAsync("/");
        await clerk.GetByLabel("User name").FillAsync("clerk1");
        await clerk.GetByLabel("Password").FillAsync(oneTime);
        await clerk.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(clerk).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/password$"));
        // Nothing else opens before the password is changed.
        await clerk.GotoAsync("/queue");
        await Expect(clerk).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/password$"));
        await ConsoleBrowser.ScreenshotAsync(clerk, "one-time-password");
        await clerk.GetByLabel("Current password").FillAsync(oneTime);
        await clerk.GetByLabel("New password").FillAsync("Clerk-chose-this-one-42");
        await clerk.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(clerk.GetByRole(AriaRole.Heading, new() { Name = "Queue", Exact = true })).ToBeVisibleAsync();
    }

    [Test]
    public async Task An_inspector_exports_csv_and_xlsx_through_the_form_and_the_files_open()
    {
        await _console.PostAsync(_console.NewRx("Inspected"));
        var page = await _console.SignInAsync("inspector1");
        await page.GotoAsync("/export");
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "export");
        using var folder = new TempFolder();

        await page.GetByLabel("Format").SelectOptionAsync("csv");
        await page.GetByLabel("Schedules").FillAsync("all");
        var csv = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download export" }).ClickAsync());
        await csv.SaveAsAsync(folder.File("export.csv"));
        var rows = ExportFiles.ReadCsv(await File.ReadAllBytesAsync(folder.File("export.csv")));
        Assert.That(rows.Skip(1).Select(r => string.Join('|', r)), Has.Some.Contains("Inspected"));

        await page.GetByLabel("Format").SelectOptionAsync("xlsx");
        var xlsx = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download export" }).ClickAsync());
        await xlsx.SaveAsAsync(folder.File("export.xlsx"));
        var sheets = ExportFiles.ReadXlsx(folder.File("export.xlsx"));
        Assert.That(sheets.SelectMany(s => s.Rows).Select(r => string.Join('|', r)), Has.Some.Contains("Inspected"));
    }

    [Test]
    [Order(1)] // Before any test takes a backup: the installation is still as fresh as pharmacy IT first sees it.
    public async Task An_auditor_sees_on_a_fresh_installation_that_the_daily_backup_paragraphs_fail_and_why()
    {
        var page = await _console.SignInAsync("auditor1");
        await page.GetByRole(AriaRole.Link, new() { Name = "Compliance", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Compliance self-report", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#summary")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\d+ pass.*\d+ warn.*[1-9]\d* fail", System.Text.RegularExpressions.RegexOptions.Singleline));
        foreach (var paragraph in new[] { "1311.205(b)(17)", "1311.305" })
        {
            // Found by its heading, which says the status in words (not by colour or icon alone).
            var section = page.Locator("section.paragraph").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = $"Fail {paragraph} " }) });
            await Expect(section).ToHaveCountAsync(1);
            await Expect(section.Locator("tr", new() { HasText = "no backup has been taken yet" })).ToContainTextAsync("FAIL");
            await Expect(section).ToContainTextAsync("pharmacyrx backup run");
            await Expect(section).ToContainTextAsync("No test results given");
        }
        await ConsoleBrowser.AssertPageQualityAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Check now" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Checked now");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Fail 1311.205(b)(17) " })).ToBeVisibleAsync();
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "compliance");
        // The report is long: the window on the failing paragraph is the picture the README shows.
        await page.Locator("section[id='1311.205(b)(17)']").EvaluateAsync("section => section.scrollIntoView()");
        await ConsoleBrowser.ScreenshotAsync(page, "compliance-backup-failing", fullPage: false);
    }

    [Test]
    public async Task A_technician_is_offered_no_compliance_page_and_opening_it_is_refused()
    {
        var page = await _console.SignInAsync("tech1");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Compliance" })).ToHaveCountAsync(0);
        var refused = await page.GotoAsync("/admin/compliance");
        Assert.That(refused!.Status, Is.EqualTo(403));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
        await Expect(page.Locator("main")).Not.ToContainTextAsync("1311.205(b)(17)");
    }

    [Test]
    public async Task Pharmacy_it_runs_and_verifies_a_backup_and_every_it_page_passes_axe()
    {
        var page = await _console.SignInAsync("admin");
        await page.GotoAsync("/admin/backups");
        await page.GetByRole(AriaRole.Button, new() { Name = "Back up now" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("completed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).First.ClickAsync();
        await Expect(page.Locator(".indication")).ToContainTextAsync("holds");
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "backups");
        foreach (var (path, name) in new[] { ("/admin/senders", "senders"), ("/admin/trust", "trust"), ("/admin/reports", "reports"), ("/admin/health", "health") })
        {
            await page.GotoAsync(path);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            await ConsoleBrowser.AssertPageQualityAsync(page);
            await ConsoleBrowser.ScreenshotAsync(page, name);
        }
        // Pharmacy IT is offered no prescription page, and opening one is refused (and audited).
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Queue" })).ToHaveCountAsync(0);
        var refused = await page.GotoAsync("/queue");
        Assert.That(refused!.Status, Is.EqualTo(403));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
        await ConsoleBrowser.AssertPageQualityAsync(page);
    }
}
