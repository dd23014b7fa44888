using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Host.Audit;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// Over real HTTP on loopback: an administrator cannot act as someone else — no API key for another
/// person, service accounts hold no pharmacist or access-management rights, a password someone else set is one-time,
/// and a grant to oneself through an account one made shows in the daily audit report.
/// </summary>
public class AccessBoundaryTests
{
    private static async Task<string> ProblemAsync(HttpResponseMessage response) => await response.Content.ReadAsStringAsync();

    [Test]
    public async Task An_administrator_creates_API_keys_only_for_themselves_and_service_accounts_never_for_another_person()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "pharm1", DefaultRoles.Pharmacist);
        var service = await pharmacy.Pharmacy.RunAsync("users", "add", "label-printer", "--full-name", "Label printer", "--initials", "LP", "--service");

        using var forPerson = await admin.PostAsJsonAsync("/api/users/pharm1/api-keys", new { label = "act as pharm1" });
        using var forService = await admin.PostAsJsonAsync("/api/users/label-printer/api-keys", new { label = "printer" });
        using var forSelf = await admin.PostAsJsonAsync("/api/users/admin/api-keys", new { label = "my script" });

        Assert.That(service.ExitCode, Is.Zero, service.Error);
        Assert.That(forPerson.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), await ProblemAsync(forPerson));
        Assert.That((forService.StatusCode, forSelf.StatusCode), Is.EqualTo((HttpStatusCode.Created, HttpStatusCode.Created)));
        var refused = (await pharmacy.AuditAsync(AuditEventTypes.UnauthorizedModificationAttempt)).Single();
        Assert.That((refused.Actor, refused.Target), Is.EqualTo(("admin", "pharm1")));
        Assert.That(await pharmacy.AuditAsync(AuditEventTypes.ApiKeyCreated), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task An_API_key_row_planted_with_sqlite3_for_an_administrator_opens_nothing_and_verify_names_it()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        const string plantedKey = "prk_intruder-made-key-000000000000000000000000000000";
        var plantedHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(plantedKey)));
        await pharmacy.Pharmacy.TamperAsync(
            $"INSERT INTO api_keys (key_sha256, user_name, label, created_at) VALUES ('{plantedHash}', 'admin', 'planted', '2026-01-01T00:00:00.000Z')");
        using var byKey = pharmacy.Anonymous();
        byKey.DefaultRequestHeaders.Add("X-Api-Key", plantedKey);

        using var users = await byKey.GetAsync("/api/users");
        var verify = await pharmacy.Pharmacy.RunAsync("verify");

        Assert.That(users.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "an API key the chain does not hold authenticates nobody");
        Assert.That(verify.ExitCode, Is.Not.Zero);
        Assert.That(verify.Output, Does.Contain("table api_keys row " + plantedHash));
    }

    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    public async Task A_service_account_cannot_hold_dispense_or_access_management_directly_through_a_role_or_by_an_edited_row()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        var service = await pharmacy.Pharmacy.RunAsync("users", "add", "exporter", "--full-name", "Export script", "--initials", "EX", "--service");
        using var key = await admin.PostAsJsonAsync("/api/users/exporter/api-keys", new { label = "nightly export" });
        var apiKey = JsonDocument.Parse(await key.Content.ReadAsStringAsync()).RootElement.GetProperty("apiKey").GetString()!;

        using var dispense = await admin.PutAsync("/api/users/exporter/permissions/Dispense", null);
        using var manage = await admin.PutAsync("/api/users/exporter/permissions/ManageAccess", null);
        using var pharmacist = await admin.PutAsync("/api/users/exporter/roles/Pharmacist", null);
        using var inspector = await admin.PutAsync("/api/users/exporter/roles/Inspector", null);
        using var roleGrant = await admin.PutAsync("/api/roles/Inspector/permissions/Annotate", null);
        await pharmacy.Pharmacy.TamperAsync("INSERT INTO user_permissions (user_name, permission) VALUES ('exporter', 'Dispense')");
        using var byKey = pharmacy.Anonymous();
        byKey.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        using var dispensed = await byKey.PostAsJsonAsync($"/api/prescriptions/{Guid.NewGuid()}/dispensings", new { quantity = 1, dateDispensed = "2026-01-01", dispenser = "EX" });
        using var read = await byKey.GetAsync("/api/prescriptions");
        var withRole = await pharmacy.Pharmacy.RunAsync("users", "add", "sender2", "--full-name", "Sender", "--initials", "S2", "--service", "--role", DefaultRoles.Pharmacist);

        Assert.That(service.ExitCode, Is.Zero, service.Error);
        Assert.That(service.Output, Does.Not.Contain("password"), "a service account signs in by API key only");
        Assert.That((withRole.ExitCode, withRole.Error), Is.EqualTo((1, "error: a service account may not hold AlterPrescription, Annotate, DeletePrescription, Dispense\n")));
        Assert.That((dispense.StatusCode, manage.StatusCode, pharmacist.StatusCode, roleGrant.StatusCode),
            Is.EqualTo((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)));
        Assert.That(inspector.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((dispensed.StatusCode, read.StatusCode), Is.EqualTo((HttpStatusCode.Forbidden, HttpStatusCode.OK)));
        Assert.That((await pharmacy.AuditAsync(AuditEventTypes.UnauthorizedModificationAttempt)).Select(e => e.Target),
            Is.EqualTo(new[] { "exporter", "exporter", "exporter", "role:Inspector", "sender2" }));
    }

    [Test]
    public async Task A_new_users_first_sign_in_can_only_change_the_password_and_then_works_normally()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "pharm1", DefaultRoles.Pharmacist);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var password = pharmacy.Passwords["pharm1"];

        using var login = await pharmacy.LoginAsync("pharm1", password);
        var body = JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement;
        using var client = pharmacy.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", body.GetProperty("token").GetString());
        using var before = await client.GetAsync("/api/prescriptions");
        using var openApi = await client.GetAsync("/openapi/v1.json");
        using var change = await client.PutAsJsonAsync("/api/me/password", new { currentPassword = password, newPassword = "quiet-orchard-41-meadow" });
        using var after = await client.GetAsync("/api/prescriptions");
        using var again = await pharmacy.LoginAsync("pharm1", password);

        Assert.That(body.TryGetProperty("passwordChangeRequired", out var required) && required.GetBoolean(), Is.True, body.ToString());
        Assert.That((before.StatusCode, openApi.StatusCode), Is.EqualTo((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)));
        Assert.That(await ProblemAsync(before), Does.Contain("password change required"));
        Assert.That((change.StatusCode, after.StatusCode), Is.EqualTo((HttpStatusCode.NoContent, HttpStatusCode.OK)));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the one-time password is gone");
    }

    [Test]
    public async Task A_one_time_password_cannot_be_kept_as_the_new_password()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "pharm1", DefaultRoles.Pharmacist);
        var oneTime = pharmacy.Passwords["pharm1"];

        using var login = await pharmacy.LoginAsync("pharm1", oneTime);
        using var client = pharmacy.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString());
        using var kept = await client.PutAsJsonAsync("/api/me/password", new { currentPassword = oneTime, newPassword = oneTime });
        using var read = await client.GetAsync("/api/prescriptions");

        Assert.That(kept.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "the administrator who set it would know a working password");
        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "still a session that may only change the password");
    }

    [Test]
    public async Task An_administrators_password_reset_is_one_time_too_and_changing_a_password_ends_the_other_sessions()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "pharm1", DefaultRoles.Pharmacist);
        using var first = await pharmacy.SignedInAsync("pharm1");
        using var second = await pharmacy.SignedInAsync("pharm1");

        using var reset = await admin.PostAsync("/api/users/pharm1/password", null);
        var resetPassword = JsonDocument.Parse(await reset.Content.ReadAsStringAsync()).RootElement.GetProperty("password").GetString()!;
        using var firstAfterReset = await first.GetAsync("/api/prescriptions");
        using var login = await pharmacy.LoginAsync("pharm1", resetPassword);
        var body = JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement;
        pharmacy.Passwords["pharm1"] = resetPassword;
        using var third = await pharmacy.SignedInAsync("pharm1");
        using var fourth = await pharmacy.SignedInAsync("pharm1");
        using var change = await third.PutAsJsonAsync("/api/me/password", new { currentPassword = pharmacy.Passwords["pharm1"], newPassword = "amber-railway-58-willow" });
        using var thirdAfter = await third.GetAsync("/api/prescriptions");
        using var fourthAfter = await fourth.GetAsync("/api/prescriptions");

        Assert.That(reset.StatusCode, Is.EqualTo(HttpStatusCode.OK), await ProblemAsync(reset));
        Assert.That(firstAfterReset.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a reset ends the user's sessions");
        Assert.That(body.GetProperty("passwordChangeRequired").GetBoolean(), Is.True);
        Assert.That((change.StatusCode, thirdAfter.StatusCode, fourthAfter.StatusCode),
            Is.EqualTo((HttpStatusCode.NoContent, HttpStatusCode.OK, HttpStatusCode.Unauthorized)));
        var audited = (await pharmacy.AuditAsync(AuditEventTypes.PasswordReset)).Single();
        Assert.That((audited.Actor, audited.Target), Is.EqualTo(("admin", "pharm1")));
    }

    [Test]
    public async Task Wrong_current_passwords_on_a_password_change_count_toward_lockout_and_are_audited()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await admin.PutAsJsonAsync("/api/me/password", new { currentPassword = $"guess-number-{i}-xyz", newPassword = "amber-railway-58-willow" });
            statuses.Add(wrong.StatusCode);
        }

        using var login = await pharmacy.LoginAsync("admin", pharmacy.Passwords["admin"]);

        Assert.That(statuses.Take(2), Is.All.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(statuses.Skip(2), Is.All.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "this address waits for this account");
        var failed = await pharmacy.AuditAsync(AuditEventTypes.LoginFailed);
        Assert.That(failed, Has.Count.EqualTo(2));
        Assert.That(failed[0].Details, Does.Contain("password change"));
    }

    [Test]
    [Property("Rule", "1311.205(b)(2)")]
    public async Task A_grant_to_the_granter_by_an_account_the_granter_created_is_reported_as_attempted_unauthorized_modification()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "admin2", DefaultRoles.PharmacyAdmin);
        using var accomplice = await pharmacy.SignedInAsync("admin2");
        using var grant = await accomplice.PutAsync("/api/users/admin/permissions/Export", null);
        using var role = await accomplice.PutAsync("/api/users/admin/roles/Inspector", null);
        using var innocent = await pharmacy.CreateUserAsync(admin, "insp1", DefaultRoles.Inspector);
        using var ordinary = await accomplice.PutAsync("/api/users/insp1/permissions/Export", null);

        var reporter = pharmacy.Service.Services.GetRequiredService<AuditReporter>();
        var report = await reporter.GenerateAsync(pharmacy.Service.Services.GetRequiredService<PharmacyRx.Core.Clock.PharmacyClock>().Today, CancellationToken.None);

        Assert.That((grant.StatusCode, role.StatusCode, ordinary.StatusCode), Is.EqualTo((HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.NoContent)));
        var flagged = report.Incidents.Where(i => i.Category == IncidentCategory.UnauthorizedModification).ToArray();
        Assert.That(flagged.Select(i => (i.Type, i.Actor, i.Target)), Is.EqualTo(new[]
        {
            (AuditEventTypes.PermissionGranted, "admin2", "admin"),
            (AuditEventTypes.RoleAssigned, "admin2", "admin"),
        }));
        Assert.That(flagged[0].Details, Does.Contain("admin2 was created by admin"));
        Assert.That((await pharmacy.AuditAsync(AuditEventTypes.UserCreated)).Last().Details, Does.Contain("createdBy=admin"));
    }

    [Test]
    public async Task A_grant_to_the_granter_through_a_chain_of_accounts_the_granter_created_is_reported_too()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "admin2", DefaultRoles.PharmacyAdmin);
        using var second = await pharmacy.SignedInAsync("admin2");
        using var createdBySecond = await pharmacy.CreateUserAsync(second, "admin3", DefaultRoles.PharmacyAdmin);
        // Two administrators now: the third waits for the first's approval (the two-person rule), who receives its password.
        var request = (await createdBySecond.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("requestId").GetString();
        using var approved = await admin.PostAsync($"/api/access-requests/{request}/approve", null);
        pharmacy.Passwords["admin3"] = (await approved.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("password").GetString()!;
        using var third = await pharmacy.SignedInAsync("admin3");
        using var grant = await third.PutAsync("/api/users/admin/permissions/Export", null);

        var reporter = pharmacy.Service.Services.GetRequiredService<AuditReporter>();
        var report = await reporter.GenerateAsync(pharmacy.Service.Services.GetRequiredService<PharmacyRx.Core.Clock.PharmacyClock>().Today, CancellationToken.None);

        Assert.That(grant.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var flagged = report.Incidents.Where(i => i.Category == IncidentCategory.UnauthorizedModification).ToArray();
        Assert.That(flagged.Select(i => (i.Type, i.Actor, i.Target)), Is.EqualTo(new[] { (AuditEventTypes.PermissionGranted, "admin3", "admin") }));
        Assert.That(flagged[0].Details, Does.Contain("admin3 was created by admin2, who was created by admin"));
    }

    [Test]
    public async Task A_permission_given_to_a_role_the_granter_holds_by_an_account_the_granter_created_is_reported_as_attempted_unauthorized_modification()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        Assert.That((await pharmacy.Pharmacy.RunAsync("users", "assign", "admin", DefaultRoles.Technician)).ExitCode, Is.Zero);
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "admin2", DefaultRoles.PharmacyAdmin);
        using var accomplice = await pharmacy.SignedInAsync("admin2");
        using var asked = await accomplice.PutAsync($"/api/roles/{DefaultRoles.Technician}/permissions/Dispense", null);
        // Dispense waits for a second administrator (the two-person rule); the one it would benefit may not approve it.
        var request = (await asked.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("requestId").GetString();
        using var roleGrant = await admin.PostAsync($"/api/access-requests/{request}/approve", null);
        using var ordinary = await accomplice.PutAsync($"/api/roles/{DefaultRoles.Inspector}/permissions/ReadAudit", null);

        var reporter = pharmacy.Service.Services.GetRequiredService<AuditReporter>();
        var report = await reporter.GenerateAsync(pharmacy.Service.Services.GetRequiredService<PharmacyRx.Core.Clock.PharmacyClock>().Today, CancellationToken.None);

        Assert.That((asked.StatusCode, roleGrant.StatusCode, ordinary.StatusCode), Is.EqualTo((HttpStatusCode.Accepted, HttpStatusCode.Forbidden, HttpStatusCode.NoContent)),
            await ProblemAsync(roleGrant));
        var flagged = report.Incidents.Where(i => i.Category == IncidentCategory.UnauthorizedModification).ToArray();
        Assert.That(flagged.Select(i => (i.Type, i.Actor, i.Target)), Is.EqualTo(new[]
        {
            (AuditEventTypes.UnauthorizedModificationAttempt, "admin", $"access-request:{request}"),
        }), "admin holds Technician: Dispense given to it is a grant to admin, which admin may not approve");
        Assert.That(flagged[0].Details, Does.Contain("the change would give the approver rights"));
    }
}
