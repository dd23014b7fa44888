using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using PharmacyRx.Testing;
using static Microsoft.Playwright.Assertions;

namespace PharmacyRx.Host.Tests.WebConsole;

/// <summary>
/// The queue and search in a real browser, as a pharmacist uses them: the queue says why each record is there, a
/// Rejected record is resolved off it (and stays undispensable, however the dispensing is tried), a resolution planted
/// in the database file resolves nothing, and a patient is found by first and last name in any order.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ConsoleQueueBrowserTests
{
    private readonly ConsoleFixture _console = new("QUEUE");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await _console.InstallAsync();
        await _console.AddUsersAsync(("pharm1", "Pharmacist", "SP"), ("inspector1", "Inspector", "SP"), ("spare1", "Technician", "SP"));
        await _console.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _console.DisposeAsync();

    [Test]
    public async Task A_pharmacist_reads_why_each_record_is_queued_and_resolves_a_rejected_one_which_stays_undispensable()
    {
        var rejected = await _console.PostRawAsync("<not-a-prescription/>"u8.ToArray());
        var review = await PostAsync(_console.NewRx("Reviewlater") with { SignatureIndicator = null });
        var page = await _console.SignInAsync("pharm1");
        await page.GotoAsync("/queue");
        var row = page.Locator("#Rejected ~ table tbody tr", new() { Has = page.Locator($"a[href='/queue/resolve/{rejected}']") });
        await Expect(row).ToContainTextAsync("Unreadable message");
        await Expect(row).Not.ToContainTextAsync("not controlled");
        await Expect(row).Not.ToContainTextAsync("not readable");
        var reviewRow = page.Locator("#NeedsReview ~ table tbody tr", new() { Has = page.Locator($"a[href='/prescriptions/{review}']") }).First;
        await Expect(reviewRow).ToContainTextAsync("New prescription");
        await Expect(reviewRow.GetByRole(AriaRole.Link, new() { Name = "Reviewlater, Alex" })).ToBeVisibleAsync();
        await Expect(reviewRow.GetByRole(AriaRole.Link, new() { Name = "Oxycodone Hydrochloride 5 MG Oral Tablet" })).ToBeVisibleAsync();
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "queue-why");

        await row.GetByRole(AriaRole.Link, new() { NameRegex = new("^Resolve") }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Resolve");
        await Expect(page.Locator("#resolve-consequence")).ToContainTextAsync("can never be dispensed");
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await page.GetByLabel("What you did about it").FillAsync("Asked the sender to resend; the garbled copy is kept as received");
        await page.GetByRole(AriaRole.Button, new() { Name = "Resolve and take off the queue" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/queue$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Resolved");
        await Expect(page.Locator($"a[href='/queue/resolve/{rejected}']")).ToHaveCountAsync(0);

        // The attack: resolved, then dispensed through the API and through a forged console post. Both are refused.
        using var api = await ApiAsync("pharm1");
        using var byApi = await api.PostAsJsonAsync($"/api/prescriptions/{rejected}/dispensings", new { quantity = 20, dateDispensed = _console.Today(), dispenser = "SP" });
        Assert.That((int)byApi.StatusCode, Is.EqualTo(422).Or.EqualTo(409), await byApi.Content.ReadAsStringAsync());
        var token = await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value")
            ?? await TokenAsync(page, $"/prescriptions/{review}");
        var forged = await page.APIRequest.PostAsync($"/prescriptions/{rejected}?handler=Dispense", new()
        {
            Form = page.APIRequest.CreateFormData().Set("__RequestVerificationToken", token)
                .Set("Dispensing.Quantity", "20").Set("Dispensing.DateDispensed", _console.Today()).Set("Dispensing.Dispenser", "SP"),
            MaxRedirects = 0,
        });
        Assert.That(forged.Status, Is.Not.InRange(200, 399), await forged.TextAsync());
        await using var connection = new SqliteConnection($"Data Source={_console.Pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dispensings WHERE receipt_id = @Id", new { Id = rejected }), Is.Zero);
        Assert.That(await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM audit_events WHERE event_type = 'AnnotationAdded' AND actor = 'pharm1' AND target = @Id AND details LIKE '%Resolution%'",
            new { Id = rejected }), Is.EqualTo(1));
    }

    [Test]
    public async Task A_record_needing_review_is_not_resolved_and_an_inspector_without_annotate_may_not_resolve()
    {
        var review = await PostAsync(_console.NewRx("Notresolvable") with { SignatureIndicator = null });
        var page = await _console.SignInAsync("pharm1");
        await page.GotoAsync($"/queue/resolve/{review}");
        await page.GetByLabel("What you did about it").FillAsync("Trying to skip the review");
        await page.GetByRole(AriaRole.Button, new() { Name = "Resolve and take off the queue" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("NotResolvable");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("1311.205(b)(6)(ii)");
        await Expect(page.GetByLabel("What you did about it")).ToHaveValueAsync("Trying to skip the review");

        var inspector = await _console.SignInAsync("inspector1");
        await inspector.GotoAsync("/queue");
        await Expect(inspector.GetByRole(AriaRole.Link, new() { NameRegex = new("^Resolve") })).ToHaveCountAsync(0);
        var refused = await inspector.GotoAsync($"/queue/resolve/{review}");
        Assert.That(refused!.Status, Is.EqualTo(403));
    }

    [Test]
    public async Task A_resolution_planted_in_the_database_file_leaves_the_record_on_the_queue()
    {
        var rejected = await _console.PostRawAsync("<still-not-a-prescription/>"u8.ToArray());
        await using (var connection = new SqliteConnection($"Data Source={_console.Pharmacy.Data.DatabasePath};Pooling=False"))
        {
            await connection.ExecuteAsync(
                "INSERT INTO annotations (receipt_id, annotation_type, fields, created_at, created_by) VALUES (@Id, 'Resolution', '{\"reason\":\"planted\"}', '2026-01-01T00:00:00.0000000Z', 'pharm1')",
                new { Id = rejected });
        }
        var page = await _console.SignInAsync("pharm1");
        await page.GotoAsync("/queue");
        await Expect(page.Locator($"#Rejected ~ table a[href='/queue/resolve/{rejected}']")).ToHaveCountAsync(1);
    }

    [Test]
    public async Task A_pharmacist_finds_a_patient_by_first_and_last_name_in_any_order_and_by_date_of_birth()
    {
        await PostAsync(_console.NewRx("O'Brien") with { PatientFirstName = "Séan", PatientBirthDate = "1981-04-02" });
        await PostAsync(_console.NewRx("Mueller") with { PatientFirstName = "Hannah", PatientBirthDate = "1990-12-24" });
        var cancelledRx = _console.NewRx("Cancelledpatient");
        await PostAsync(cancelledRx);
        await PostAsync(_console.NewRx("Cancelledpatient") with
        {
            Transaction = "CancelRx", MessageId = $"{cancelledRx.MessageId}-CANCEL", RelatesToMessageId = cancelledRx.MessageId,
            PrescriberOrderNumber = cancelledRx.PrescriberOrderNumber,
        });

        var page = await _console.SignInAsync("pharm1");
        await page.SetViewportSizeAsync(1366, 900);
        await page.GotoAsync("/queue");
        // As a person: the Search link, the name as they heard it, the Search button.
        var clicks = 0;
        await page.GetByRole(AriaRole.Link, new() { Name = "Search", Exact = true }).ClickAsync();
        clicks++;
        await page.GetByLabel("Patient name").FillAsync("Hannah Mueller");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        clicks++;
        var results = page.Locator("table[aria-label=Results] tbody tr");
        await Expect(results).ToHaveCountAsync(1);
        await Expect(results).ToContainTextAsync("Mueller, Hannah");
        await Expect(results).ToContainTextAsync("1990-12-24");
        var box = await results.First.BoundingBoxAsync();
        var scroll = Math.Max(0, box!.Y + box.Height - 900);
        Directory.CreateDirectory(ConsoleBrowser.ScreenshotFolder);
        await File.WriteAllTextAsync(Path.Combine(ConsoleBrowser.ScreenshotFolder, "find-patient-by-name.txt"),
            string.Create(CultureInfo.InvariantCulture, $"find a patient by first and last name at 1366x900: {clicks} clicks, {scroll:0} px scrolled, result row bottom at y={box.Y + box.Height:0}\n"));
        Assert.That((clicks, scroll), Is.EqualTo((2, 0)), "the result shows without scrolling, two clicks from the queue");
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "search");

        foreach (var (words, expected) in new[] { ("mueller hannah", "Mueller, Hannah"), ("HANNAH", "Mueller, Hannah"), ("obrien", "O'Brien, Séan"), ("Sean O'Brien", "O'Brien, Séan"), ("o brien", "") })
        {
            await page.GotoAsync($"/search?patient={Uri.EscapeDataString(words)}");
            if (expected.Length == 0)
            {
                await Expect(page.Locator("main")).ToContainTextAsync("No prescription matches.");
            }
            else
            {
                await Expect(results).ToHaveCountAsync(1);
                await Expect(results).ToContainTextAsync(expected);
            }
        }
        await page.GotoAsync("/search?birthDate=1981-04-02");
        await Expect(results).ToHaveCountAsync(1);
        await Expect(results).ToContainTextAsync("O'Brien, Séan");

        await page.GotoAsync("/search?patient=cancelledpatient");
        await Expect(results).ToHaveCountAsync(1);
        await Expect(results).ToContainTextAsync("Cancelled by the prescriber");
        await Expect(results).Not.ToContainTextAsync("Signed by the pharmacy on receipt");
    }

    [Test]
    public async Task Pharmacy_it_confirms_before_disabling_a_sender_or_a_user_and_enables_the_sender_again()
    {
        var page = await _console.SignInAsync("admin");
        await page.GotoAsync("/admin/senders");
        await page.GetByRole(AriaRole.Link, new() { Name = "Disable gateway…" }).ClickAsync();
        var confirm = page.Locator("section.confirm");
        await Expect(confirm).ToContainTextAsync("every prescription it sends is refused");
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Disable gateway" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Sender gateway disabled.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Enable gateway" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Sender gateway enabled");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Disable gateway…" })).ToBeVisibleAsync();
        await ConsoleBrowser.ScreenshotAsync(page, "senders");

        await page.GotoAsync("/admin/users");
        await page.GetByRole(AriaRole.Link, new() { Name = "Disable spare1…" }).ClickAsync();
        await Expect(page.Locator("section.confirm")).ToContainTextAsync("can no longer sign in");
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Disable spare1" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("spare1 disabled.");

        // The two-person rule off and on again (one administrator: nobody else could approve, so it is made at once), and
        // a pharmacist-in-charge who cannot approve a grant of Dispense is refused with the reason.
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask to turn the two-person rule off" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The two-person rule is off.");
        await Expect(page.Locator("section[aria-labelledby=rule-title]")).ToContainTextAsync("listed in the daily report for review");
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn the two-person rule on" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The two-person rule is on.");
        await page.GetByLabel("Pharmacist-in-charge").SelectOptionAsync("admin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Name pharmacist-in-charge" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("must hold Dispense and ManageAccess");

        await using var connection = new SqliteConnection($"Data Source={_console.Pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_events WHERE event_type IN ('SenderDisabled', 'SenderEnabled') AND actor = 'admin'"),
            Is.EqualTo(2));
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_events WHERE event_type IN ('TwoPersonRuleTurnedOff', 'TwoPersonRuleTurnedOn') AND actor = 'admin'"),
            Is.EqualTo(2));
    }

    [Test]
    public async Task Pharmacy_it_reads_today_so_far_health_in_words_compliance_with_jump_links_and_a_roles_matrix_that_fits_800_px()
    {
        var page = await _console.SignInAsync("admin");
        await page.GotoAsync("/admin/reports");
        await Expect(page.GetByRole(AriaRole.Heading, new() { NameRegex = new("^Today so far") })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Auditable events by category" })).ToBeVisibleAsync();
        await Expect(page.Locator("main")).Not.ToContainTextAsync("No report yet");
        Assert.That(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), Is.LessThanOrEqualTo(1280));
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "reports");

        await page.GotoAsync("/admin/health");
        await Expect(page.Locator("main")).ToContainTextAsync("Certificate revocation lists");
        await Expect(page.Locator("main")).Not.ToContainTextAsync("Crls");
        await Expect(page.Locator("main")).Not.ToContainTextAsync("Masstransit");
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "health");

        await page.GotoAsync("/admin/compliance");
        var attention = page.Locator("nav.attention a");
        Assert.That(await attention.CountAsync(), Is.GreaterThan(0), "a new installation without a backup has something to attend to");
        var target = await attention.First.GetAttributeAsync("href");
        await attention.First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(target!) + "$"));
        await Expect(page.GetByRole(AriaRole.Link, new() { NameRegex = new("^Go to ") }).First).ToBeVisibleAsync();
        await ConsoleBrowser.AssertPageQualityAsync(page);

        await page.GotoAsync("/admin/trust");
        await Expect(page.GetByRole(AriaRole.Columnheader, new() { Name = "Revocation list" })).ToBeVisibleAsync();
        await ConsoleBrowser.AssertPageQualityAsync(page);

        await page.SetViewportSizeAsync(800, 900);
        await page.GotoAsync("/admin/roles");
        Assert.That(await page.EvaluateAsync<int>("() => document.querySelector('table.matrix').getBoundingClientRect().right"), Is.LessThanOrEqualTo(800));
        await ConsoleBrowser.AssertPageQualityAsync(page);
        await ConsoleBrowser.ScreenshotAsync(page, "roles");
    }

    [Test]
    public async Task An_inspector_lands_on_the_export_and_downloads_dispensed_rows_only_with_words_beside_codes_and_the_standing()
    {
        var reviewed = await PostAsync(_console.NewRx("Inspected") with { SignatureIndicator = null });
        using (var api = await ApiAsync("pharm1"))
        {
            using var review = await api.PostAsJsonAsync($"/api/prescriptions/{reviewed}/annotations", new { type = "PharmacistReview", fields = new { note = "Confirmed by phone" } });
            Assert.That((int)review.StatusCode, Is.LessThan(300), await review.Content.ReadAsStringAsync());
            using var dispensed = await api.PostAsJsonAsync($"/api/prescriptions/{reviewed}/dispensings", new { quantity = 10, dateDispensed = _console.Today(), dispenser = "SP" });
            Assert.That((int)dispensed.StatusCode, Is.LessThan(300), await dispensed.Content.ReadAsStringAsync());
        }
        await PostAsync(_console.NewRx("Neverdispensed"));
        var page = await _console.SignInAsync("inspector1");
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/export$"));
        await page.GetByLabel("Format").SelectOptionAsync("csv");
        await page.GetByLabel("Dispensed only").CheckAsync();
        await ConsoleBrowser.AssertPageQualityAsync(page);
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download export" }).ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.Contain("Quantity unit,Refills authorized").And.Contain("Quantity unit in words").And.Contain("Standing"));
        Assert.That(csv, Does.Not.Contain("Neverdispensed"));
        var row = lines.Single(l => l.Contains("Inspected", StringComparison.Ordinal));
        Assert.That(row, Does.Contain("C48542").And.Contain("tablet").And.Contain("5 C28253").And.Contain("5 mg"));
        // A CII reviewed and part-filled: its standing is the review, not the NeedsPharmacistReview it was received with.
        Assert.That(row.TrimEnd('\r'), Does.EndWith(",Reviewed by a pharmacist"));
    }

    private async Task<HttpClient> ApiAsync(string user)
    {
        var client = _console.Service.Client();
        using var login = await client.PostAsJsonAsync("/api/sessions", new { userName = user, password = _console.Passwords[user] });
        Assert.That((int)login.StatusCode, Is.EqualTo(200), await login.Content.ReadAsStringAsync());
        var token = JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<string> TokenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        return (await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value"))!;
    }

    private Task<string> PostAsync(SyntheticNewRx message) => _console.PostRawAsync(message.ToBytes());
}
