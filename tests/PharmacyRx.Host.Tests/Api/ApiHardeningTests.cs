using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>User text and hardening, over real HTTP on loopback and through the command line.</summary>
public class ApiHardeningTests
{
    [Test]
    public async Task An_undefined_sort_or_an_overflowing_page_is_a_400_never_a_500()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "pharm1", DefaultRoles.Pharmacist);
        using var pharmacist = await pharmacy.SignedInAsync("pharm1");

        var answers = new Dictionary<string, HttpStatusCode>();
        foreach (var query in new[] { "sort=99", "status=3", "page=2147483647", "pageSize=2147483647", "page=2147483647&pageSize=2147483647", "page=0", "pageSize=-1" })
        {
            using var response = await pharmacist.GetAsync($"/api/prescriptions?{query}");
            answers[query] = response.StatusCode;
        }

        Assert.That(answers, Is.EqualTo(answers.Keys.ToDictionary(k => k, _ => HttpStatusCode.BadRequest)));
    }

    [Test]
    public async Task Permission_names_are_parsed_exactly_one_per_call_by_the_API_and_the_CLI()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "tech1", DefaultRoles.Technician);

        using var combined = await admin.PutAsync("/api/users/tech1/permissions/Export,ManageAccess", null);
        using var number = await admin.PutAsync("/api/users/tech1/permissions/7", null);
        var cli = await pharmacy.Pharmacy.RunAsync("users", "grant", "tech1", "Export,ManageAccess");
        var cliRole = await pharmacy.Pharmacy.RunAsync("roles", "grant", "Technician", "Export,ManageAccess");
        using var users = await admin.GetAsync("/api/users");

        Assert.That((combined.StatusCode, number.StatusCode), Is.EqualTo((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest)));
        Assert.That((cli.ExitCode, cliRole.ExitCode), Is.EqualTo((1, 1)));
        Assert.That(cli.Error, Does.Contain("no permission Export,ManageAccess"));
        var tech = JsonDocument.Parse(await users.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Single(u => u.GetProperty("userName").GetString() == "tech1");
        Assert.That(tech.GetProperty("permissions").GetArrayLength(), Is.Zero);
        Assert.That(await pharmacy.AuditAsync(AuditEventTypes.RolePermissionGranted), Is.Empty);
    }

    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    public async Task Readiness_tells_anyone_without_ReadAudit_only_the_status_word()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "insp1", DefaultRoles.Inspector);
        using var inspector = await pharmacy.SignedInAsync("insp1");
        var sender = await pharmacy.Pharmacy.AddSenderAsync("gateway", "--from", "6666666");
        using var monitoring = await pharmacy.Pharmacy.MonitoringClientAsync(pharmacy.Service.BaseAddress);

        foreach (var (name, client) in new[] { ("anonymous", pharmacy.Anonymous()), ("a user without ReadAudit", inspector), ("a sender", pharmacy.Service.Client(sender)) })
        {
            using var response = await client.GetAsync("/health/ready");
            var body = await response.Content.ReadAsStringAsync();
            var shown = JsonDocument.Parse(body).RootElement;
            Assert.That(shown.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "status" }), $"{name}: {body}");
            Assert.That(shown.GetProperty("status").GetString(), Is.AnyOf("Healthy", "Degraded", "Unhealthy"));
            Assert.That(body, Does.Not.Contain(pharmacy.Pharmacy.Data.Root).And.Not.Contain("backup").And.Not.Contain("clock"), name);
        }
        foreach (var (name, client) in new[] { ("an administrator", admin), ("the monitoring key", monitoring) })
        {
            var shown = await client.GetFromJsonAsync<JsonElement>("/health/ready");
            Assert.That(shown.GetProperty("checks").TryGetProperty("backup", out _), Is.True, name);
        }
    }

    [Test]
    public async Task Every_response_carries_the_security_headers_and_no_store()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");

        foreach (var (client, path) in new[] { (pharmacy.Anonymous(), "/health/ready"), (pharmacy.Anonymous(), "/api/prescriptions"), (admin, "/api/users"), (admin, "/nowhere") })
        {
            using var response = await client.GetAsync(path);
            string Header(string name) => response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";
            Assert.That(Header("X-Content-Type-Options"), Is.EqualTo("nosniff"), path);
            Assert.That(Header("X-Frame-Options"), Is.EqualTo("DENY"), path);
            Assert.That(Header("Referrer-Policy"), Is.EqualTo("no-referrer"), path);
            Assert.That(Header("Content-Security-Policy"), Does.Contain("default-src 'none'").And.Contain("frame-ancestors 'none'"), path);
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True, path);
        }
    }

    [Test]
    public async Task User_names_are_normalised_and_a_look_alike_of_an_existing_name_is_refused()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");

        using var fullWidth = await pharmacy.CreateUserAsync(admin, "Ｐｈａｒｍ１", DefaultRoles.Pharmacist);
        var normalised = JsonDocument.Parse(await fullWidth.Content.ReadAsStringAsync()).RootElement.GetProperty("userName").GetString();
        using var signedIn = await pharmacy.LoginAsync("PHARM1", pharmacy.Passwords["pharm1"]);
        using var cyrillic = await pharmacy.CreateUserAsync(admin, "\u0430dmin", DefaultRoles.PharmacyAdmin);
        using var greek = await pharmacy.CreateUserAsync(admin, "ph\u03b1rm1", DefaultRoles.Pharmacist);
        var cli = await pharmacy.Pharmacy.RunAsync("users", "add", "\u0430dmin", "--full-name", "X", "--initials", "X");

        Assert.That((fullWidth.StatusCode, normalised), Is.EqualTo((HttpStatusCode.Created, "pharm1")));
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((cyrillic.StatusCode, greek.StatusCode), Is.EqualTo((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest)));
        Assert.That(await cyrillic.Content.ReadAsStringAsync(), Does.Contain("looks like"));
        Assert.That(cli.ExitCode, Is.EqualTo(1));
        Assert.That(cli.Error, Does.Contain("looks like"));
    }

    [Test]
    public async Task The_OpenAPI_document_is_for_signed_in_users_unless_configured_anonymous()
    {
        await using (var pharmacy = await LoopbackPharmacy.StartAsync())
        {
            using var admin = await pharmacy.SignedInAsync("admin");
            Assert.That((await pharmacy.Anonymous().GetAsync("/openapi/v1.json")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await admin.GetAsync("/openapi/v1.json")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        await using (var open = await LoopbackPharmacy.StartAsync(builder => builder.Configuration["OpenApi:Anonymous"] = "true"))
        {
            Assert.That((await open.Anonymous().GetAsync("/openapi/v1.json")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
    }

    [Test]
    public async Task An_unknown_verb_prints_an_error_naming_it_and_the_verbs_and_exits_non_zero()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();

        var run = await pharmacy.RunAsync("frobnicate").WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(run.ExitCode, Is.Not.Zero);
        Assert.That(run.Error, Does.Contain("frobnicate").And.Contain("serve").And.Contain("users").And.Contain("verify"));
    }

    [Test]
    public async Task No_verb_still_serves_with_the_host_options_passed_through()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var started = new TaskCompletionSource<WebApplication>(TaskCreationOptions.RunContinuationsAsynchronously);
        var environment = pharmacy.CliEnvironment(new StringWriter(), new StringWriter()) with { OnServing = started.SetResult };

        var run = PharmacyRx.Host.Cli.PharmacyRxCommandLine.RunAsync(["--data", pharmacy.Data.Root, "--urls", "http://127.0.0.1:0"], environment);
        var first = await Task.WhenAny(started.Task, run).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.That(first, Is.SameAs(started.Task), environment.Error.ToString());
        var app = await started.Task;
        Assert.That(app.Urls.Single(), Does.StartWith("http://127.0.0.1:"));
        await app.StopAsync();
        Assert.That(await run.WaitAsync(TimeSpan.FromSeconds(30)), Is.Zero);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Test]
    public async Task A_one_megabyte_login_name_is_refused_with_400_and_only_its_first_64_characters_are_audited()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var name = new string('n', 1 << 20);

        using var login = await pharmacy.LoginAsync(name, "whatever-password-1");
        using var longPassword = await pharmacy.LoginAsync("admin", new string('p', 257));

        Assert.That((login.StatusCode, longPassword.StatusCode), Is.EqualTo((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest)));
        var failed = await pharmacy.AuditAsync(AuditEventTypes.LoginFailed);
        Assert.That(failed, Has.Count.EqualTo(2));
        Assert.That(failed.Max(e => e.Actor.Length + e.Target.Length + e.Details.Length), Is.LessThan(400));
        Assert.That(failed[0].Details, Does.Contain("1048576"));
    }

    [Test]
    public async Task Labels_reasons_and_annotation_text_over_the_limit_are_refused_before_anything_is_stored()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var ingest = await pharmacy.Pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "L-1" });
        var receiptId = ingest.JsonLines[0].GetProperty("receiptId").GetString();
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "pharm1", DefaultRoles.Pharmacist);
        using var pharmacist = await pharmacy.SignedInAsync("pharm1");
        var tooLong = new string('x', TextLimits.Text + 1);

        using var note = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receiptId}/annotations", new { type = "Note", fields = new Dictionary<string, string> { ["text"] = tooLong } });
        using var label = await admin.PostAsJsonAsync("/api/users/admin/api-keys", new { label = tooLong });
        using var fullName = await admin.PostAsJsonAsync("/api/users", new { userName = "pharm2", fullName = tooLong, initials = "P2", roles = Array.Empty<string>() });

        Assert.That((note.StatusCode, label.StatusCode, fullName.StatusCode), Is.EqualTo((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest)));
        Assert.That(await pharmacy.AuditAsync(AuditEventTypes.AnnotationAdded), Is.Empty);
        Assert.That(await pharmacy.AuditAsync(AuditEventTypes.ApiKeyCreated), Is.Empty);
    }
}
