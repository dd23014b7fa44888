using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Host.Api;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>Logins, sessions, API keys and the administration of access through the API, on a clock the test moves.</summary>
public class SessionApiTests
{
    private static async Task<List<AuditEvent>> AuditAsync(PharmacyApi api, string type)
    {
        var events = new List<AuditEvent>();
        await foreach (var stored in api.Services.GetRequiredService<AuditLog>().ReadAllAsync(CancellationToken.None))
        {
            if (stored.Event.Type == type)
            {
                events.Add(stored.Event);
            }
        }
        return events;
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string user, string password) =>
        client.PostAsJsonAsync("/api/sessions", new SessionApi.LoginRequest(user, password));

    [Test]
    public async Task The_administrator_from_init_signs_in_and_reads_the_users()
    {
        await using var api = await PharmacyApi.CreateAsync();
        using var admin = await api.SignedInAsync("admin", api.AdminPassword);

        using var users = await admin.GetAsync("/api/users");

        Assert.That(users.StatusCode, Is.EqualTo(HttpStatusCode.OK), await users.Content.ReadAsStringAsync());
        Assert.That(await users.Content.ReadAsStringAsync(), Does.Contain("\"userName\":\"admin\""));
    }

    [Test]
    public async Task Repeated_failures_back_off_even_for_the_right_password_doubling_from_one_second_and_the_wait_passes()
    {
        await using var api = await PharmacyApi.CreateAsync();
        using var client = api.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await LoginAsync(client, "admin", "wrong-password-000");
            statuses.Add(wrong.StatusCode);
        }
        var waits = new List<TimeSpan?>();
        for (var i = 0; i < 4; i++)
        {
            // Each wait passed, one more wrong password: the next wait is twice as long.
            using var throttledNow = await LoginAsync(client, "admin", api.AdminPassword);
            waits.Add(throttledNow.Headers.RetryAfter?.Delta);
            api.Clock.Advance(throttledNow.Headers.RetryAfter?.Delta ?? TimeSpan.Zero);
            using var wrong = await LoginAsync(client, "admin", "wrong-password-000");
        }
        using var throttled = await LoginAsync(client, "admin", api.AdminPassword);
        api.Clock.Advance(TimeSpan.FromSeconds(16));
        using var later = await LoginAsync(client, "admin", api.AdminPassword);

        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests }));
        Assert.That(waits, Is.EqualTo(new TimeSpan?[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8) }));
        Assert.That(throttled.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(throttled.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(16)));
        Assert.That(later.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await AuditAsync(api, AuditEventTypes.LoginFailed)).Count, Is.EqualTo(6));
        Assert.That((await AuditAsync(api, AuditEventTypes.LoginThrottled)).Count, Is.EqualTo(5), "once per wait, not per attempt");
    }

    [Test]
    public async Task A_session_ends_after_15_idle_minutes_after_12_hours_in_all_and_at_logout()
    {
        await using var api = await PharmacyApi.CreateAsync();
        using var idle = await api.SignedInAsync("admin", api.AdminPassword);
        using var busy = await api.SignedInAsync("admin", api.AdminPassword);
        using var leaving = await api.SignedInAsync("admin", api.AdminPassword);

        api.Clock.Advance(TimeSpan.FromMinutes(14));
        Assert.That((await busy.GetAsync("/api/roles")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        api.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.That((await idle.GetAsync("/api/roles")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "16 minutes idle");
        for (var elapsed = TimeSpan.FromMinutes(16); elapsed < TimeSpan.FromHours(12); elapsed += TimeSpan.FromMinutes(10))
        {
            Assert.That((await busy.GetAsync("/api/roles")).StatusCode, Is.EqualTo(HttpStatusCode.OK), $"active at {elapsed}");
            api.Clock.Advance(TimeSpan.FromMinutes(10));
        }
        Assert.That((await busy.GetAsync("/api/roles")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "past 12 hours");

        using var fresh = await api.SignedInAsync("admin", api.AdminPassword);
        Assert.That((await fresh.DeleteAsync("/api/sessions/current")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await fresh.GetAsync("/api/roles")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "after logout");
    }

    [Test]
    public async Task A_new_password_must_be_long_and_uncommon()
    {
        await using var api = await PharmacyApi.CreateAsync();
        using var admin = await api.SignedInAsync("admin", api.AdminPassword);

        var current = api.CurrentPassword(api.AdminPassword);

        using var shortOne = await admin.PutAsJsonAsync("/api/me/password", new SessionApi.PasswordChange(current, "short-1"));
        using var common = await admin.PutAsJsonAsync("/api/me/password", new SessionApi.PasswordChange(current, "Password1234"));
        using var good = await admin.PutAsJsonAsync("/api/me/password", new SessionApi.PasswordChange(current, "violet-harbor-73-lantern"));
        using var client = api.CreateClient();
        using var withNew = await LoginAsync(client, "admin", "violet-harbor-73-lantern");

        Assert.That(await shortOne.Content.ReadAsStringAsync(), Does.Contain("at least 12 characters"));
        Assert.That(await common.Content.ReadAsStringAsync(), Does.Contain("commonly used"));
        Assert.That((good.StatusCode, withNew.StatusCode), Is.EqualTo((HttpStatusCode.NoContent, HttpStatusCode.OK)));
    }

    [Test]
    [Property("Rule", "1311.205(b)(2)")]
    [Property("Rule", "1311.205(b)(13)")]
    public async Task Users_and_grants_are_administered_with_before_and_after_audited_and_nobody_changes_their_own_access()
    {
        await using var api = await PharmacyApi.CreateAsync();
        using var admin = await api.SignedInAsync("admin", api.AdminPassword);

        using var created = await admin.PostAsJsonAsync("/api/users", new AccessApi.NewUserRequest("tech1", "Synthetic Technician", "ST", [DefaultRoles.Technician]));
        var password = (await created.Content.ReadFromJsonAsync<AccessApi.NewUserResponse>())!.Password!;
        using var grant = await admin.PutAsync("/api/users/tech1/permissions/Dispense", null);
        using var self = await admin.PutAsync("/api/users/admin/permissions/Dispense", null);
        using var ownRole = await admin.PutAsync("/api/roles/PharmacyAdmin/permissions/Dispense", null);
        using var tech = await api.SignedInAsync("tech1", password);
        using var canDispense = await tech.PostAsJsonAsync($"/api/prescriptions/{Guid.NewGuid()}/dispensings", new { quantity = 1, dateDispensed = "2026-01-01", dispenser = "ST" });
        using var revoke = await admin.DeleteAsync("/api/users/tech1/permissions/Dispense");
        using var cannot = await tech.PostAsJsonAsync($"/api/prescriptions/{Guid.NewGuid()}/dispensings", new { quantity = 1, dateDispensed = "2026-01-01", dispenser = "ST" });
        using var printer = await admin.PostAsJsonAsync("/api/users", new AccessApi.NewUserRequest("printer1", "Label printer", "LP", [DefaultRoles.Inspector], Service: true));
        using var key = await admin.PostAsJsonAsync("/api/users/printer1/api-keys", new AccessApi.ApiKeyRequest("label printer"));
        var apiKey = (await key.Content.ReadFromJsonAsync<AccessApi.ApiKeyResponse>())!.ApiKey;
        using var byKey = api.CreateClient();
        byKey.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        var keyWorks = (await byKey.GetAsync("/api/prescriptions")).StatusCode;
        using var disable = await admin.PostAsync("/api/users/tech1/disable", null);
        using var disablePrinter = await admin.PostAsync("/api/users/printer1/disable", null);
        var keyAfterDisable = (await byKey.GetAsync("/api/prescriptions")).StatusCode;
        var sessionAfterDisable = (await tech.GetAsync("/api/prescriptions")).StatusCode;

        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(password, Has.Length.EqualTo(20));
        Assert.That((grant.StatusCode, revoke.StatusCode, disable.StatusCode), Is.EqualTo((HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.NoContent)));
        Assert.That((self.StatusCode, ownRole.StatusCode), Is.EqualTo((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)));
        Assert.That((canDispense.StatusCode, cannot.StatusCode), Is.EqualTo((HttpStatusCode.NotFound, HttpStatusCode.Forbidden)));
        Assert.That((keyWorks, keyAfterDisable, sessionAfterDisable), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized)));
        var granted = (await AuditAsync(api, AuditEventTypes.PermissionGranted)).Single();
        Assert.That((granted.Actor, granted.Target), Is.EqualTo(("admin", "tech1")));
        Assert.That(granted.Details, Is.EqualTo("before: status=Active; roles=Technician; permissions=; after: permissions=Dispense"));
        Assert.That((await AuditAsync(api, AuditEventTypes.PermissionRevoked)).Single().Details, Does.EndWith("permissions=Dispense; after: permissions="));
        Assert.That((await AuditAsync(api, AuditEventTypes.UnauthorizedModificationAttempt)).Select(e => e.Target), Is.EquivalentTo(new[] { "admin", "role:PharmacyAdmin" }));
        Assert.That((await AuditAsync(api, AuditEventTypes.UserCreated)).Single(e => e.Target == "tech1").Details, Does.Contain("roles=Technician"));
    }

    [Test]
    public async Task The_CLI_mirrors_administration_and_prints_a_one_time_password()
    {
        await using var api = await PharmacyApi.CreateAsync();

        var add = await api.Pharmacy.RunAsync("users", "add", "pharm2", "--full-name", "Synthetic Pharmacist", "--initials", "SP", "--role", "Pharmacist");
        var grant = await api.Pharmacy.RunAsync("roles", "grant", "Technician", "Dispense");
        var roles = await api.Pharmacy.RunAsync("roles", "list");
        var unknown = await api.Pharmacy.RunAsync("users", "grant", "pharm2", "FlyToTheMoon");
        var duplicate = await api.Pharmacy.RunAsync("users", "add", "pharm2", "--full-name", "X", "--initials", "X");

        var created = add.JsonLines.Single();
        Assert.That(created.GetProperty("userName").GetString(), Is.EqualTo("pharm2"));
        Assert.That(created.GetProperty("password").GetString(), Has.Length.EqualTo(20));
        Assert.That(grant.JsonLines.Single().GetProperty("changed").GetBoolean(), Is.True);
        Assert.That(roles.JsonLines.Single(r => r.GetProperty("roleName").GetString() == "Technician").GetProperty("permissions").EnumerateArray().Select(p => p.GetString()),
            Is.EqualTo(new[] { "Annotate", "Dispense", "ReadPrescriptions" }));
        Assert.That(unknown.ExitCode, Is.EqualTo(1));
        Assert.That(duplicate.Error, Is.EqualTo("error: user pharm2 already exists\n"));
        using var signedIn = await api.SignedInAsync("pharm2", created.GetProperty("password").GetString()!);
        Assert.That((await signedIn.GetAsync("/api/prescriptions")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var audit = await AuditAsync(api, AuditEventTypes.RolePermissionGranted);
        Assert.That(audit.Single().Details, Is.EqualTo("before: permissions=Annotate,ReadPrescriptions; after: permissions=Annotate,Dispense,ReadPrescriptions"));
    }

    [Test]
    public async Task Over_real_HTTP_on_loopback_a_pharmacist_signs_in_and_searches_and_the_OpenAPI_document_is_served()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var add = await pharmacy.RunAsync("users", "add", "pharm3", "--full-name", "Synthetic Pharmacist", "--initials", "SP", "--role", "Pharmacist");
        await pharmacy.IngestAsync(new PharmacyRx.Testing.SyntheticNewRx { MessageId = "H-1" });
        await using var service = await RunningService.StartAsync(pharmacy);
        using var http = new HttpClient { BaseAddress = service.BaseAddress };

        var oneTime = add.JsonLines[0].GetProperty("password").GetString()!;
        using var login = await LoginAsync(http, "pharm3", oneTime);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<SessionApi.LoginResponse>())!.Token);
        using var change = await http.PutAsJsonAsync("/api/me/password", new SessionApi.PasswordChange(oneTime, "copper-lantern-92-harbor"));
        var found = JsonDocument.Parse(await http.GetStringAsync("/api/prescriptions?patient=testp")).RootElement;
        var openApi = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement;

        Assert.That(found.GetProperty("rows").GetArrayLength(), Is.EqualTo(1));
        Assert.That(openApi.GetProperty("paths").TryGetProperty("/api/prescriptions/{receiptId}/dispensings", out _), Is.True);
    }
}
