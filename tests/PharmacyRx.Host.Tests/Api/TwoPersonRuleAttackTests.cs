using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// The two-person rule attacked (1311.205(b)(1), after 1311.125): one administrator trying to act as a pharmacist without a
/// second person or the pharmacist-in-charge, and an intruder with the database file but not the key password trying to
/// turn the rule off or plant a request. Each test is the attack; it asserts what the rule promises.
/// </summary>
public class TwoPersonRuleAttackTests
{
    /// <summary>
    /// Disable a pharmacist (at once), reset their password (a disabled account is judged by what it would hold enabled:
    /// the reset waits), enable them again (it waits too: enabling gives back a guarded permission), sign in and dispense.
    /// </summary>
    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    public async Task Attack_disable_reset_enable_gives_the_requester_a_pharmacists_password()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var (admin, admin2) = await pharmacy.TwoAdministratorsAsync();
        await pharmacy.ApprovedUserAsync(admin, admin2, "pharm1", DefaultRoles.Pharmacist);
        using (await pharmacy.SignedInAsync("pharm1")) { }

        using var disable = await admin.PostAsync("/api/users/pharm1/disable", null);
        using var reset = await admin.PostAsync("/api/users/pharm1/password", null);
        var body = await reset.Content.ReadAsStringAsync();
        using var enable = await admin.PostAsync("/api/users/pharm1/enable", null);
        string? stolen = reset.StatusCode == HttpStatusCode.OK ? JsonDocument.Parse(body).RootElement.GetProperty("password").GetString() : null;
        var signedIn = false;
        if (stolen is not null)
        {
            pharmacy.Passwords["pharm1"] = stolen;
            using var asPharmacist = await pharmacy.SignedInAsync("pharm1");
            signedIn = true;
        }
        var permissions = await pharmacy.Service.Services.GetRequiredService<AccessStore>().PermissionsAsync("pharm1", CancellationToken.None);

        Assert.That((disable.StatusCode, enable.StatusCode), Is.EqualTo((HttpStatusCode.NoContent, HttpStatusCode.Accepted)));
        Assert.Multiple(() =>
        {
            Assert.That(reset.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), $"the reset of a (disabled) pharmacist must wait; got {reset.StatusCode}: {body}");
            Assert.That(signedIn && permissions.Contains(Permission.Dispense), Is.False, "the requester signed in as pharm1 with Dispense");
        });
    }

    /// <summary>
    /// Disable the other administrators (at once), hoping that with one ManageAccess holder left the rule no longer
    /// applies: disabled approvers still count, so a pharmacist account, turning the rule off and enabling them again all
    /// wait for a second person, and nothing is made unapproved.
    /// </summary>
    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    public async Task Attack_disabling_the_other_approvers_lifts_the_rule_and_the_pharmacist_in_charge()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var (admin, admin2) = await pharmacy.TwoAdministratorsAsync();
        await pharmacy.ApprovedUserAsync(admin, admin2, "pic", DefaultRoles.Pharmacist, DefaultRoles.PharmacyAdmin);
        using (var name = await admin.PutAsJsonAsync("/api/access-policy/pharmacist-in-charge", new { userName = "pic" }))
        using (var named = await admin2.PostAsync($"/api/access-requests/{await RequestIdAsync(name)}/approve", null))
        {
            Assert.That(named.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        using var d1 = await admin.PostAsync("/api/users/admin2/disable", null);
        using var d2 = await admin.PostAsync("/api/users/pic/disable", null);
        using var ghost = await pharmacy.CreateUserAsync(admin, "ghost", DefaultRoles.Pharmacist);
        using var off = await admin.PutAsJsonAsync("/api/access-policy/two-person-rule", new { on = false });
        using var e1 = await admin.PostAsync("/api/users/admin2/enable", null);
        using var e2 = await admin.PostAsync("/api/users/pic/enable", null);
        var policy = await admin.GetFromJsonAsync<JsonElement>("/api/access-policy");

        Assert.That((d1.StatusCode, d2.StatusCode), Is.EqualTo((HttpStatusCode.NoContent, HttpStatusCode.NoContent)));
        Assert.Multiple(async () =>
        {
            Assert.That(ghost.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "a pharmacist account waits");
            Assert.That(off.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "turning the rule off waits");
            Assert.That((e1.StatusCode, e2.StatusCode), Is.EqualTo((HttpStatusCode.Accepted, HttpStatusCode.Accepted)), "enabling an approver waits");
            Assert.That(policy.GetProperty("twoPersonRule").GetString(), Is.EqualTo("on"));
            Assert.That(await pharmacy.AuditAsync(AuditEventTypes.AccessChangeUnapproved), Is.Empty, "nothing was made past the rule");
        });
    }

    /// <summary>
    /// The intruder with the file: a TwoPersonRuleTurnedOff planted below the chain's first event (sequence 0, no MAC, its
    /// own public hash), where an event from before the chain was keyed would need no MAC: it counts for nothing.
    /// </summary>
    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task Attack_a_policy_event_planted_below_the_chain_key_turns_the_rule_off()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var (admin, _) = await pharmacy.TwoAdministratorsAsync();
        long planted;
        await using (var intruder = new Integrity.Intruder(pharmacy.Pharmacy.Data.DatabasePath))
        {
            planted = await intruder.ScalarAsync<long>("SELECT min(sequence) FROM audit_events") - 1;
            var forged = AuditChain.Link(planted, new AuditEvent(DateTimeOffset.UtcNow.AddYears(-1), AuditEventTypes.TwoPersonRuleTurnedOff, "admin2",
                AuditOutcome.Success, "two-person-rule", "planted"), AuditChain.GenesisHash);
            await intruder.ExecuteAsync("""
                INSERT INTO audit_events (sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash)
                VALUES (@Sequence, @At, @Type, @Actor, 'Success', @Target, @Details, @PreviousHash, @Hash)
                """, new
            {
                forged.Sequence, At = ReceiptSeal.FormatTimestamp(forged.Event.OccurredAt), forged.Event.Type, forged.Event.Actor, forged.Event.Target,
                forged.Event.Details, forged.PreviousHash, forged.Hash,
            });
        }
        var policy = await admin.GetFromJsonAsync<JsonElement>("/api/access-policy");
        using var ghost = await pharmacy.CreateUserAsync(admin, "ghost", DefaultRoles.Pharmacist);

        Assert.Multiple(() =>
        {
            Assert.That(policy.GetProperty("twoPersonRule").GetString(), Is.EqualTo("on"), $"planted event at sequence {planted} turned the rule off");
            Assert.That(ghost.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "a pharmacist account still waits");
        });
    }

    /// <summary>
    /// The intruder with the file plus one administrator: a request planted below the chain's first event (sequence 0, no
    /// MAC) in admin2's name, to make a pharmacist account, for admin alone to approve: there is no such request.
    /// </summary>
    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task Attack_a_request_planted_below_the_chain_key_is_approved_by_its_only_real_person()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var (admin, _) = await pharmacy.TwoAdministratorsAsync();
        var request = new AccessRequests.Request("plantedreq01", AccessApprovals.CreateUser, "ghost", null, null, "Synthetic Ghost", "SG",
            [DefaultRoles.Pharmacist], nameof(UserKind.Person), "admin2", DateTimeOffset.UtcNow);
        await using (var intruder = new Integrity.Intruder(pharmacy.Pharmacy.Data.DatabasePath))
        {
            var sequence = await intruder.ScalarAsync<long>("SELECT min(sequence) FROM audit_events") - 1;
            var forged = AuditChain.Link(sequence, new AuditEvent(request.RequestedAt, AuditEventTypes.AccessChangeRequested, "admin2", AuditOutcome.Success,
                request.Target, AccessRequests.Details(request)), AuditChain.GenesisHash);
            await intruder.ExecuteAsync("""
                INSERT INTO audit_events (sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash)
                VALUES (@Sequence, @At, @Type, @Actor, 'Success', @Target, @Details, @PreviousHash, @Hash)
                """, new
            {
                forged.Sequence, At = ReceiptSeal.FormatTimestamp(forged.Event.OccurredAt), forged.Event.Type, forged.Event.Actor, forged.Event.Target,
                forged.Event.Details, forged.PreviousHash, forged.Hash,
            });
        }
        using var approved = await admin.PostAsync($"/api/access-requests/{request.Id}/approve", null);

        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "a planted request approved: " + await approved.Content.ReadAsStringAsync());
    }

    /// <summary>An empty JSON body to PUT /api/access-policy/two-person-rule must not read as "off": the field is required.</summary>
    [Test]
    public async Task Attack_an_empty_json_body_asks_to_turn_the_rule_off()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        using var alone = await admin.PutAsJsonAsync("/api/access-policy/two-person-rule", new { });
        var afterAlone = (await admin.GetFromJsonAsync<JsonElement>("/api/access-policy")).GetProperty("twoPersonRule").GetString();
        using (await admin.PutAsJsonAsync("/api/access-policy/two-person-rule", new { on = true })) { }
        using (var second = await pharmacy.CreateUserAsync(admin, "admin2", DefaultRoles.PharmacyAdmin))
        {
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }
        using var withTwo = await admin.PutAsJsonAsync("/api/access-policy/two-person-rule", new { });

        Assert.Multiple(async () =>
        {
            Assert.That(alone.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), $"{{}} turned the rule {afterAlone}");
            Assert.That(withTwo.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await withTwo.Content.ReadAsStringAsync());
        });
    }

    /// <summary>
    /// The administrator who is also on the host (key password) asks on the command line as its operating-system user, to
    /// approve it as themselves over the API: a held change on the command line must name its requester, so nothing waits.
    /// </summary>
    [Test]
    public async Task Attack_a_command_line_request_is_approved_by_the_same_person()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var (admin, _) = await pharmacy.TwoAdministratorsAsync();
        var asked = await pharmacy.Pharmacy.RunAsync("users", "two-person-rule", "off");
        var waiting = await admin.GetFromJsonAsync<JsonElement>("/api/access-requests");
        var policy = await admin.GetFromJsonAsync<JsonElement>("/api/access-policy");

        Assert.Multiple(() =>
        {
            Assert.That(asked.ExitCode, Is.EqualTo(1));
            Assert.That(asked.Error, Does.Contain("--requester"));
            Assert.That(waiting.GetArrayLength(), Is.Zero, "no request by the operating-system user waits for anyone");
            Assert.That(policy.GetProperty("twoPersonRule").GetString(), Is.EqualTo("on"));
        });
    }

    /// <summary>
    /// The approver of a new administrator is handed their one-time password; on the command line they ask as themselves
    /// and approve as the new administrator with it, so one person turns the rule off. A one-time password holds only to be
    /// changed, there as at sign-in.
    /// </summary>
    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    public async Task Attack_an_approver_approves_their_own_request_with_the_one_time_password_they_were_given()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var (admin, admin2) = await pharmacy.TwoAdministratorsAsync();
        await pharmacy.ApprovedUserAsync(admin, admin2, "admin3", DefaultRoles.PharmacyAdmin);
        pharmacy.Pharmacy.Environment[AccessApprovals.RequesterPasswordVariable] = pharmacy.Passwords["admin2"];
        var asked = await pharmacy.Pharmacy.RunAsync("users", "two-person-rule", "off", "--requester", "admin2");
        Assert.That(asked.ExitCode, Is.Zero, asked.Error);
        var id = JsonDocument.Parse(asked.Output).RootElement.GetProperty("pending").GetString()!;

        pharmacy.Pharmacy.Environment[Host.Cli.UsersCommand.ApproverPasswordVariable] = pharmacy.Passwords["admin3"];
        var approved = await pharmacy.Pharmacy.RunAsync("users", "approve", id, "--approver", "admin3");
        var policy = await admin.GetFromJsonAsync<JsonElement>("/api/access-policy");
        var refusals = await pharmacy.AuditAsync(AuditEventTypes.LoginFailed);

        Assert.Multiple(() =>
        {
            Assert.That(approved.ExitCode, Is.EqualTo(1), approved.Output);
            Assert.That(approved.Error, Does.Contain("one-time password"));
            Assert.That(policy.GetProperty("twoPersonRule").GetString(), Is.EqualTo("on"));
            Assert.That(refusals, Has.Some.Matches<AuditEvent>(e => e.Actor == "admin3" && e.Details.StartsWith("approval: refused", StringComparison.Ordinal)));
        });
    }

    /// <summary>
    /// The same reset approved many times at once, hoping each approval reads it undecided: the change is made once, one
    /// approval is audited, and every other is refused as decided already.
    /// </summary>
    [Test]
    public async Task Attack_one_request_approved_many_times_at_once()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var (admin, admin2) = await pharmacy.TwoAdministratorsAsync();
        await pharmacy.ApprovedUserAsync(admin, admin2, "pharm1", DefaultRoles.Pharmacist);
        using var reset = await admin.PostAsync("/api/users/pharm1/password", null);
        var id = await RequestIdAsync(reset);
        var approvals = pharmacy.Service.Services.GetRequiredService<AccessApprovals>();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => approvals.ApproveAsync(id, "admin2", CancellationToken.None))));
        var approved = (await pharmacy.AuditAsync(AuditEventTypes.AccessChangeApproved)).Where(e => e.Target == $"access-request:{id}").ToList();
        var resets = (await pharmacy.AuditAsync(AuditEventTypes.PasswordReset)).Where(e => e.Target == "pharm1").ToList();

        Assert.Multiple(() =>
        {
            Assert.That(outcomes.Count(o => o.Result.Outcome == AccessOutcome.Changed), Is.EqualTo(1));
            Assert.That(outcomes.Count(o => o.Password is not null), Is.EqualTo(1), "one one-time password, to one approver");
            Assert.That(approved, Has.Count.EqualTo(1));
            Assert.That(resets, Has.Count.EqualTo(1));
        });
    }

    /// <summary>
    /// With a pharmacist-in-charge named, two administrators try to un-name them, so that a grant of Dispense then needs any
    /// second administrator only: un-naming (and turning the rule off) needs the pharmacist-in-charge's approval too.
    /// </summary>
    [Test]
    public async Task Attack_two_administrators_remove_the_pharmacist_in_charge_without_them()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var (admin, admin2) = await pharmacy.TwoAdministratorsAsync();
        await pharmacy.ApprovedUserAsync(admin, admin2, "pic", DefaultRoles.Pharmacist, DefaultRoles.PharmacyAdmin);
        using (var name = await admin.PutAsJsonAsync("/api/access-policy/pharmacist-in-charge", new { userName = "pic" }))
        using (await admin2.PostAsync($"/api/access-requests/{await RequestIdAsync(name)}/approve", null)) { }

        using var unname = await admin.PutAsJsonAsync("/api/access-policy/pharmacist-in-charge", new { userName = "" });
        using var unnamed = await admin2.PostAsync($"/api/access-requests/{await RequestIdAsync(unname)}/approve", null);
        using var ghost = await pharmacy.CreateUserAsync(admin, "ghost", DefaultRoles.Pharmacist);
        using var ghostApproved = await admin2.PostAsync($"/api/access-requests/{await RequestIdAsync(ghost)}/approve", null);

        Assert.That(unnamed.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden),
            $"the pharmacist-in-charge was removed without them; then a pharmacist account was approved by admin2: {ghostApproved.StatusCode}");
    }

    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    public async Task Grants_of_Dispense_by_every_path_need_the_pharmacist_in_charge()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var (admin, admin2) = await pharmacy.TwoAdministratorsAsync();
        await pharmacy.ApprovedUserAsync(admin, admin2, "pic", DefaultRoles.Pharmacist, DefaultRoles.PharmacyAdmin);
        await pharmacy.ApprovedUserAsync(admin, admin2, "tech1", DefaultRoles.Technician);
        var approvals = pharmacy.Service.Services.GetRequiredService<AccessApprovals>();

        // Asked before the pharmacist-in-charge is named, approved after.
        using var early = await admin.PutAsync("/api/users/tech1/roles/Pharmacist", null);
        var earlyId = await RequestIdAsync(early);
        using (var name = await admin.PutAsJsonAsync("/api/access-policy/pharmacist-in-charge", new { userName = "pic" }))
        using (var named = await admin2.PostAsync($"/api/access-requests/{await RequestIdAsync(name)}/approve", null))
        {
            Assert.That(named.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }
        using var earlyApproved = await admin2.PostAsync($"/api/access-requests/{earlyId}/approve", null);

        // Several roles at once; Dispense to a role; an identity-provider mapping; naming oneself.
        using var several = await admin.PostAsJsonAsync("/api/users",
            new { userName = "multi", fullName = "Synthetic Multi", initials = "SM", roles = new[] { DefaultRoles.Technician, "pharmacist" } });
        using var severalApproved = await admin2.PostAsync($"/api/access-requests/{await RequestIdAsync(several)}/approve", null);
        using var role = await admin.PutAsync("/api/roles/Technician/permissions/Dispense", null);
        using var roleApproved = await admin2.PostAsync($"/api/access-requests/{await RequestIdAsync(role)}/approve", null);
        var map = await approvals.MapClaimAsync("grp-pharmacists", "pharmacist", "admin", breakGlass: false, CancellationToken.None);
        var mapApproved = await approvals.ApproveAsync(map.RequestId!, "admin2", CancellationToken.None);
        using var self = await admin.PutAsJsonAsync("/api/access-policy/pharmacist-in-charge", new { userName = "admin" });

        // Take Dispense off the Pharmacist role so admin2 may approve the assignment, then put it back: the put-back waits for the PIC.
        using var assign = await admin.PutAsync("/api/users/tech1/roles/Pharmacist", null);
        using var strip = await admin.DeleteAsync("/api/roles/Pharmacist/permissions/Dispense");
        using var assignApproved = await admin2.PostAsync($"/api/access-requests/{await RequestIdAsync(assign)}/approve", null);
        using var putBack = await admin.PutAsync("/api/roles/Pharmacist/permissions/Dispense", null);
        using var putBackApproved = await admin2.PostAsync($"/api/access-requests/{await RequestIdAsync(putBack)}/approve", null);

        Assert.Multiple(async () =>
        {
            Assert.That(earlyApproved.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "asked before the PIC was named");
            Assert.That(severalApproved.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "several roles");
            Assert.That(roleApproved.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "Dispense to a role");
            Assert.That(mapApproved.Result.Outcome, Is.EqualTo(AccessOutcome.Refused), "mapping");
            Assert.That(self.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "naming oneself without Dispense");
            Assert.That(strip.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(assignApproved.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(putBackApproved.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the put-back waits for the PIC");
            Assert.That(await pharmacy.Service.Services.GetRequiredService<AccessStore>().PermissionsAsync("tech1", CancellationToken.None),
                Does.Not.Contain(Permission.Dispense));
        });
    }

    [Test]
    public async Task Approving_through_a_second_account_needs_it_to_hold_ManageAccess()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var (admin, admin2) = await pharmacy.TwoAdministratorsAsync();
        // A puppet without ManageAccess (made at once: Inspector guards nothing) cannot reach the approve route at all.
        using (var puppet = await pharmacy.CreateUserAsync(admin, "puppet", DefaultRoles.Inspector))
        {
            Assert.That(puppet.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }
        using var puppetClient = await pharmacy.SignedInAsync("puppet");
        using var off = await admin.PutAsJsonAsync("/api/access-policy/two-person-rule", new { on = false });
        using var byPuppet = await puppetClient.PostAsync($"/api/access-requests/{await RequestIdAsync(off)}/approve", null);
        // Giving the puppet ManageAccess waits for admin2.
        using var grant = await admin.PutAsync("/api/users/puppet/permissions/ManageAccess", null);
        Assert.That(byPuppet.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(grant.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((await admin.GetFromJsonAsync<JsonElement>("/api/access-policy")).GetProperty("twoPersonRule").GetString(), Is.EqualTo("on"));
    }

    private static async Task<string> RequestIdAsync(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString()!;
    }
}
