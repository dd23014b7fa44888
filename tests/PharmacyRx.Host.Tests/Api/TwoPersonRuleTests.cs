using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using Microsoft.Extensions.DependencyInjection;
using PharmacyRx.Host.Access;
using PharmacyRx.Host.Cli;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// An administrator tries to act as a pharmacist (reset a pharmacist's password, or make a pharmacist account of their
/// own, then sign in and dispense) over real HTTP on loopback and through the command line: once the pharmacy has two
/// administrators, each such change waits for the other's approval, and its one-time password goes to the approver.
/// </summary>
public class TwoPersonRuleTests
{
    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    [Property("Rule", "1311.215(a)")]
    public async Task An_administrator_cannot_reset_a_pharmacists_password_or_make_a_pharmacist_without_a_second_administrator()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        // A fresh install's one administrator adds the second at once: the rule needs two who could approve.
        using (var second = await pharmacy.CreateUserAsync(admin, "admin2", DefaultRoles.PharmacyAdmin))
        {
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }
        using var admin2 = await pharmacy.SignedInAsync("admin2");

        // A pharmacist account waits for the second administrator, who alone receives its one-time password.
        using var asked = await pharmacy.CreateUserAsync(admin, "pharm1", DefaultRoles.Pharmacist);
        var pharmRequest = await RequestIdAsync(asked);
        using var notYet = await pharmacy.LoginAsync("pharm1", "any-password-at-all-1");
        using var ownApproval = await admin.PostAsync($"/api/access-requests/{pharmRequest}/approve", null);
        using var approved = await admin2.PostAsync($"/api/access-requests/{pharmRequest}/approve", null);
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(await asked.Content.ReadAsStringAsync(), Does.Not.Contain("password\":\""));
        Assert.That(notYet.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "no account until approved");
        Assert.That(ownApproval.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the requester may not approve");
        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        pharmacy.Passwords["pharm1"] = (await approved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("password").GetString()!;
        using var pharmacist = await pharmacy.SignedInAsync("pharm1");

        // The attack: reset the pharmacist's password and sign in with it. The reset waits; nothing changed.
        using var reset = await admin.PostAsync("/api/users/pharm1/password", null);
        Assert.That(reset.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(await reset.Content.ReadAsStringAsync(), Does.Not.Contain("password\":\""));
        using var stillTheirs = await pharmacy.LoginAsync("pharm1", pharmacy.Passwords["pharm1"]);
        Assert.That(stillTheirs.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the pharmacist's own password still holds");

        // Or: make an account of one's own that can dispense. It waits too, and the other administrator refuses it.
        using var ghost = await pharmacy.CreateUserAsync(admin, "ghost", DefaultRoles.Pharmacist);
        var ghostRequest = await RequestIdAsync(ghost);
        using var refused = await admin2.PostAsync($"/api/access-requests/{ghostRequest}/refuse", null);
        using var lateApproval = await admin2.PostAsync($"/api/access-requests/{ghostRequest}/approve", null);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(lateApproval.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "decided already");
        var list = await admin.GetFromJsonAsync<JsonElement>("/api/users");
        Assert.That(list.EnumerateArray().Select(u => u.GetProperty("userName").GetString()), Does.Not.Contain("ghost"));

        // A grant of Dispense (by name or through a role) waits the same way; Export does not.
        using var dispense = await admin.PutAsync("/api/users/admin2/permissions/Dispense", null);
        using var export = await admin.PutAsync("/api/users/admin2/permissions/Export", null);
        using var role = await admin.PutAsync("/api/roles/Technician/permissions/Dispense", null);
        Assert.That((dispense.StatusCode, export.StatusCode, role.StatusCode), Is.EqualTo((HttpStatusCode.Accepted, HttpStatusCode.NoContent, HttpStatusCode.Accepted)));

        var waiting = await admin2.GetFromJsonAsync<JsonElement>("/api/access-requests");
        Assert.That(waiting.GetArrayLength(), Is.EqualTo(3), "the reset and the two grants wait");
        Assert.That(await pharmacy.AuditAsync(AuditEventTypes.AccessChangeRequested), Has.Count.EqualTo(5));
        Assert.That(await pharmacy.AuditAsync(AuditEventTypes.AccessChangeApproved), Has.Count.EqualTo(1));
        Assert.That(await pharmacy.AuditAsync(AuditEventTypes.AccessChangeRefused), Has.Count.EqualTo(1));
        var attempts = await pharmacy.AuditAsync(AuditEventTypes.UnauthorizedModificationAttempt);
        Assert.That(attempts.Select(e => e.Details), Has.Some.Contains("the requester may not approve their own request"));
    }

    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    public async Task On_the_command_line_a_reset_waits_for_an_approver_with_their_password_and_break_glass_is_audited()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var admin2 = await pharmacy.RunAsync("users", "add", "admin2", "--full-name", "Synthetic Admin", "--initials", "SA", "--role", "PharmacyAdmin");
        Assert.That(admin2.ExitCode, Is.Zero, admin2.Error);
        var oneTime = admin2.JsonLines[0].GetProperty("password").GetString()!;
        // admin2 must set a password of its own before it can approve, and admin before it can ask: a one-time password holds
        // only to be changed.
        var adminOneTime = pharmacy.InitOutput.GetProperty("adminPassword").GetString()!;
        pharmacy.Environment[AccessApprovals.RequesterPasswordVariable] = adminOneTime;
        var askedWithOneTime = await pharmacy.RunAsync("users", "add", "pharm1", "--full-name", "Synthetic Pharmacist", "--initials", "SP", "--role", "Pharmacist",
            "--requester", "admin");
        await using (var service = await RunningService.StartAsync(pharmacy))
        {
            await service.SetOwnPasswordAsync("admin2", oneTime, "amber-railway-58-willow");
            await service.SetOwnPasswordAsync("admin", adminOneTime, "copper-lantern-73-harbor");
        }

        // A held change names who asks, their password checked as a sign-in: the operating-system user is nobody's name.
        var anonymous = await pharmacy.RunAsync("users", "add", "pharm1", "--full-name", "Synthetic Pharmacist", "--initials", "SP", "--role", "Pharmacist");
        pharmacy.Environment[AccessApprovals.RequesterPasswordVariable] = "copper-lantern-73-harbor";
        var asked = await pharmacy.RunAsync("users", "add", "pharm1", "--full-name", "Synthetic Pharmacist", "--initials", "SP", "--role", "Pharmacist",
            "--requester", "admin");
        Assert.That(anonymous.ExitCode, Is.EqualTo(1));
        Assert.That(anonymous.Error, Does.Contain("--requester"));
        Assert.That(askedWithOneTime.ExitCode, Is.EqualTo(1));
        Assert.That(askedWithOneTime.Error, Does.Contain("the requester's password is a one-time password"));
        var request = asked.JsonLines.Single();
        Assert.That(request.TryGetProperty("password", out _), Is.False, "no password to the requester");
        var id = request.GetProperty("pending").GetString()!;
        var withoutPassword = await pharmacy.RunAsync("users", "approve", id, "--approver", "admin2");
        pharmacy.Environment[UsersCommand.ApproverPasswordVariable] = "wrong-password-xyz-1";
        var wrongPassword = await pharmacy.RunAsync("users", "approve", id, "--approver", "admin2");
        pharmacy.Environment[UsersCommand.ApproverPasswordVariable] = "amber-railway-58-willow";
        var approved = await pharmacy.RunAsync("users", "approve", id, "--approver", "admin2");
        var breakGlass = await pharmacy.RunAsync("users", "reset-password", "pharm1", "--break-glass");
        var waits = await pharmacy.RunAsync("users", "reset-password", "pharm1", "--requester", "admin");

        Assert.That(withoutPassword.ExitCode, Is.EqualTo(1));
        Assert.That(wrongPassword.ExitCode, Is.EqualTo(1));
        Assert.That(approved.ExitCode, Is.Zero, approved.Error);
        Assert.That(approved.JsonLines.Single().GetProperty("password").GetString(), Is.Not.Empty, "the one-time password goes to the approver");
        Assert.That(breakGlass.JsonLines.Single().GetProperty("password").GetString(), Is.Not.Empty);
        Assert.That(waits.JsonLines.Single().TryGetProperty("pending", out _), Is.True);
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        var glass = await Dapper.SqlMapper.QueryAsync<string>(connection, "SELECT details FROM audit_events WHERE event_type = 'AccessBreakGlass'");
        Assert.That(glass.Single(), Does.Contain("reset the password of pharm1").And.Contain("past the two-person rule"));
    }

    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    [Property("Rule", "1311.215(a)")]
    public async Task A_grant_of_Dispense_needs_the_pharmacist_in_charge_and_the_rule_is_turned_off_only_with_a_second_person()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var (admin, admin2) = await pharmacy.TwoAdministratorsAsync();
        await pharmacy.ApprovedUserAsync(admin, admin2, "pic", DefaultRoles.Pharmacist, DefaultRoles.PharmacyAdmin);
        using var pic = await pharmacy.SignedInAsync("pic");

        // Naming the pharmacist-in-charge waits for a second person, who may not be the one named.
        using var name = await admin.PutAsJsonAsync("/api/access-policy/pharmacist-in-charge", new { userName = "pic" });
        var nameRequest = await RequestIdAsync(name);
        using var ownNaming = await pic.PostAsync($"/api/access-requests/{nameRequest}/approve", null);
        using var named = await admin2.PostAsync($"/api/access-requests/{nameRequest}/approve", null);
        Assert.That(ownNaming.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the one named may not approve it");
        Assert.That(named.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await admin.GetFromJsonAsync<JsonElement>("/api/access-policy")).GetProperty("pharmacistInCharge").GetString(), Is.EqualTo("pic"));

        // A pharmacist account: a second administrator is not enough, the pharmacist-in-charge approves it.
        using var ghost = await pharmacy.CreateUserAsync(admin, "ghost", DefaultRoles.Pharmacist);
        var ghostRequest = await RequestIdAsync(ghost);
        using var byAdmin2 = await admin2.PostAsync($"/api/access-requests/{ghostRequest}/approve", null);
        Assert.That(byAdmin2.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await byAdmin2.Content.ReadAsStringAsync(), Does.Contain("pharmacist-in-charge"));
        using var byPic = await pic.PostAsync($"/api/access-requests/{ghostRequest}/approve", null);
        Assert.That(byPic.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the pharmacist-in-charge approves, and gets the one-time password");
        // An Export grant needs nobody; a Dispense grant by name waits for the pharmacist-in-charge as well.
        using var dispense = await admin.PutAsync("/api/users/admin2/permissions/Dispense", null);
        using var byAdmin2Again = await admin2.PostAsync($"/api/access-requests/{await RequestIdAsync(dispense)}/approve", null);
        Assert.That(byAdmin2Again.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        // Turning the rule off waits for a second person; while it is off a reset is made at once, listed for review,
        // and compliance warns.
        using var off = await admin.PutAsJsonAsync("/api/access-policy/two-person-rule", new { on = false });
        var offRequest = await RequestIdAsync(off);
        using var offByAdmin2 = await admin2.PostAsync($"/api/access-requests/{offRequest}/approve", null);
        Assert.That(offByAdmin2.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "while one is named, the pharmacist-in-charge approves it");
        using var offApproved = await pic.PostAsync($"/api/access-requests/{offRequest}/approve", null);
        Assert.That(offApproved.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var policy = await admin.GetFromJsonAsync<JsonElement>("/api/access-policy");
        Assert.That((policy.GetProperty("twoPersonRule").GetString(), policy.GetProperty("applies").GetBoolean()), Is.EqualTo(("off", false)));
        using var reset = await admin.PostAsync("/api/users/ghost/password", null);
        Assert.That(reset.StatusCode, Is.EqualTo(HttpStatusCode.OK), "made at once while the rule is off");
        Assert.That((await pharmacy.AuditAsync(AuditEventTypes.AccessChangeUnapproved)).Select(e => e.Details),
            Has.Some.Contains("reset the password of ghost").And.Some.Contains("review it"));
        Assert.That(IncidentCategories.Types, Does.Contain(AuditEventTypes.AccessChangeUnapproved), "flagged for the daily report's decision");
        var compliance = await pharmacy.Service.Services.GetRequiredService<PharmacyRx.Host.Compliance.ComplianceReporter>().BuildAsync(null, CancellationToken.None);
        Assert.That(compliance.Paragraphs.Single(p => p.Paragraph == "1311.205(b)(1)").Evidence.Select(e => (e.Status, e.Detail)),
            Has.Some.Matches<(PharmacyRx.Host.Compliance.ComplianceStatus Status, string Detail)>(e => e.Status == PharmacyRx.Host.Compliance.ComplianceStatus.Warn && e.Detail.Contains("two-person rule is off")));

        // On again at once. An intruder with the file then appends a "turned off" event with the public hash: it counts
        // for nothing, and the next reset waits.
        using var on = await admin.PutAsJsonAsync("/api/access-policy/two-person-rule", new { on = true });
        Assert.That(on.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await using (var intruder = new Integrity.Intruder(pharmacy.Pharmacy.Data.DatabasePath))
        {
            await intruder.AppendAsync(new AuditEvent(DateTimeOffset.UtcNow, AuditEventTypes.TwoPersonRuleTurnedOff, "admin2", AuditOutcome.Success,
                "two-person-rule", "planted"));
            await intruder.AppendAsync(new AuditEvent(DateTimeOffset.UtcNow, AuditEventTypes.PharmacistInChargeNamed, "admin2", AuditOutcome.Success,
                "pharmacist-in-charge:", "planted"));
        }
        policy = await admin.GetFromJsonAsync<JsonElement>("/api/access-policy");
        Assert.That((policy.GetProperty("twoPersonRule").GetString(), policy.GetProperty("pharmacistInCharge").GetString()), Is.EqualTo(("on", "pic")));
        using var waits = await admin.PostAsync("/api/users/ghost/password", null);
        Assert.That(waits.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
    }

    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    public async Task On_the_command_line_the_policy_is_read_the_rule_turned_off_and_on_and_a_pharmacist_in_charge_must_be_able_to_approve()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var added = await pharmacy.RunAsync("users", "add", "pic", "--full-name", "Synthetic Pharmacist", "--initials", "SP", "--role", "Pharmacist");
        Assert.That(added.ExitCode, Is.Zero, added.Error);

        var notAnApprover = await pharmacy.RunAsync("users", "pharmacist-in-charge", "pic");
        var off = await pharmacy.RunAsync("users", "two-person-rule", "off");
        var offPolicy = await pharmacy.RunAsync("users", "policy");
        var on = await pharmacy.RunAsync("users", "two-person-rule", "on");
        var onPolicy = await pharmacy.RunAsync("users", "policy");
        var neither = await pharmacy.RunAsync("users", "two-person-rule", "maybe");

        Assert.That(notAnApprover.ExitCode, Is.EqualTo(1));
        Assert.That(notAnApprover.Error, Does.Contain("must hold Dispense and ManageAccess"));
        Assert.That(off.ExitCode, Is.Zero, off.Error);
        Assert.That(off.JsonLines.Single().GetProperty("changed").GetBoolean(), Is.True, "one administrator: nobody else could approve, so it is made at once");
        Assert.That(offPolicy.JsonLines.Single().GetProperty("twoPersonRule").GetString(), Is.EqualTo("off"));
        Assert.That(on.JsonLines.Single().GetProperty("changed").GetBoolean(), Is.True);
        Assert.That(onPolicy.JsonLines.Single().GetProperty("twoPersonRule").GetString(), Is.EqualTo("on"));
        Assert.That(onPolicy.JsonLines.Single().GetProperty("pharmacistInCharge").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(neither.ExitCode, Is.Not.Zero);
    }

    private static async Task<string> RequestIdAsync(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString()!;
    }
}
