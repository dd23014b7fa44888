using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Access;
using PharmacyRx.Host.Cli;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Tests.Access;

/// <summary>
/// The identity provider's group and app-role mappings are access controls (1311.205(b)(2)): changed on the command line
/// and audited (1311.215(a)(4)), under the two-person rule for a role that can dispense, never by someone who presents the
/// value; and a provider's person is their exact (issuer, subject), never a look-alike of it. The sign-in after a validated
/// id_token is <see cref="SessionStore.LoginFederatedAsync"/>, called here as the handler calls it.
/// </summary>
[TestFixture]
public sealed class ClaimMappingRulesTests
{
    private const string Issuer = "https://login.example.test/tenant-0001/v2.0";
    private const string AdminPassword = "copper-lantern-73-harbor";

    [Test]
    [Property("Rule", "1311.205(b)(2)")]
    public async Task A_mapping_to_a_dispensing_role_waits_for_a_second_administrator_and_every_change_is_audited()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await SecondAdministratorAsync(pharmacy);

        pharmacy.Environment[AccessApprovals.RequesterPasswordVariable] = AdminPassword;
        var asked = await pharmacy.RunAsync("identity-provider", "map", "rx-pharmacists", "Pharmacist", "--requester", "admin");
        Assert.That(asked.ExitCode, Is.Zero, asked.Error);
        var pending = asked.JsonLines.Single().GetProperty("pending").GetString()!;
        Assert.That((await pharmacy.RunAsync("identity-provider", "list")).JsonLines, Is.Empty, "nothing mapped before the approval");
        var id = (await pharmacy.RunAsync("users", "requests")).JsonLines.Single().GetProperty("id").GetString()!;
        Assert.That(pending, Does.Contain(id));
        pharmacy.Environment[UsersCommand.ApproverPasswordVariable] = "amber-railway-58-willow";
        var approved = await pharmacy.RunAsync("users", "approve", id, "--approver", "admin2");
        Assert.That(approved.ExitCode, Is.Zero, approved.Error);

        var atOnce = await pharmacy.RunAsync("identity-provider", "map", "rx-auditors", "Auditor");
        Assert.That(atOnce.JsonLines.Single().GetProperty("changed").GetBoolean(), Is.True, "a role that cannot dispense is mapped at once");
        var listed = (await pharmacy.RunAsync("identity-provider", "list")).JsonLines.Select(m => $"{m.GetProperty("claimValue")}>{m.GetProperty("roleName")}");
        Assert.That(listed, Is.EquivalentTo(new[] { "rx-auditors>Auditor", "rx-pharmacists>Pharmacist" }));
        Assert.That((await pharmacy.RunAsync("identity-provider", "unmap", "rx-auditors", "Auditor")).ExitCode, Is.Zero);
        var spaced = await pharmacy.RunAsync("identity-provider", "map", " rx-pharmacists", "Pharmacist");
        Assert.That(spaced.ExitCode, Is.EqualTo(1));
        Assert.That(spaced.Error, Does.Contain("spaces at either end"));

        await using var connection = ReadOnly(pharmacy);
        var events = (await connection.QueryAsync<(string Type, string Target, string Details)>(
            "SELECT event_type, target, details FROM audit_events WHERE event_type IN ('ClaimMappingAdded', 'ClaimMappingRemoved', 'AccessChangeRequested') ORDER BY sequence")).ToList();
        Assert.That(events.Select(e => $"{e.Type} {e.Target}"), Is.EqualTo(new[]
        {
            "AccessChangeRequested access-request:" + id, "ClaimMappingAdded claim:rx-pharmacists", "ClaimMappingAdded claim:rx-auditors", "ClaimMappingRemoved claim:rx-auditors",
        }));
        Assert.That(events[1].Details, Is.EqualTo("before: roles=; after: roles=Pharmacist"));
    }

    [Test]
    [Property("Rule", "1311.205(b)(2)")]
    public async Task Nobody_maps_or_approves_a_value_they_present_themselves()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await SecondAdministratorAsync(pharmacy);
        Assert.That((await pharmacy.RunAsync("identity-provider", "map", "rx-it", "PharmacyAdmin", "--break-glass")).ExitCode, Is.Zero);
        await using var service = await RunningService.StartAsync(pharmacy);
        var sessions = service.Services.GetRequiredService<SessionStore>();
        var approvals = service.Services.GetRequiredService<AccessApprovals>();
        var signedIn = await sessions.LoginFederatedAsync(new(Issuer, "it-lead-01", "Synthetic IT Lead", "groups", ["rx-it", "rx-leads"]), default);
        Assert.That(signedIn.Outcome, Is.EqualTo(LoginOutcome.Succeeded));
        var itLead = FederatedIdentity.UserName(Issuer, "it-lead-01");

        var own = await approvals.MapClaimAsync("rx-leads", "Auditor", itLead, breakGlass: false, default);
        Assert.That(own.Result.Outcome, Is.EqualTo(AccessOutcome.Refused));
        Assert.That(own.Result.Message, Does.Contain("may not map it"));

        var asked = await approvals.MapClaimAsync("rx-leads", "Pharmacist", "admin", breakGlass: false, default);
        Assert.That(asked.Pending, Is.True);
        var byBeneficiary = await approvals.ApproveAsync(asked.RequestId!, itLead, default);
        Assert.That(byBeneficiary.Result.Outcome, Is.EqualTo(AccessOutcome.Refused));
        Assert.That(byBeneficiary.Result.Message, Does.Contain("would give the approver rights"));
        var byAnother = await approvals.ApproveAsync(asked.RequestId!, "admin2", default);
        Assert.That(byAnother.Result.Outcome, Is.EqualTo(AccessOutcome.Changed), byAnother.Result.Message);
    }

    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    public async Task A_subject_differing_only_in_case_or_a_binding_planted_in_the_file_is_not_the_same_person()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        Assert.That((await pharmacy.RunAsync("identity-provider", "map", "rx-techs", "Technician")).ExitCode, Is.Zero);
        await using var service = await RunningService.StartAsync(pharmacy);
        var sessions = service.Services.GetRequiredService<SessionStore>();
        var access = service.Services.GetRequiredService<AccessStore>();

        var first = await sessions.LoginFederatedAsync(new(Issuer, "Ab9f", "Synthetic Tech", "groups", ["rx-techs"]), default);
        Assert.That(first.Outcome, Is.EqualTo(LoginOutcome.Succeeded));
        var lookAlike = await sessions.LoginFederatedAsync(new(Issuer, "ab9F", "Synthetic Other", "groups", ["rx-techs"]), default);
        Assert.That(lookAlike.Outcome, Is.EqualTo(LoginOutcome.Failed));
        Assert.That(await sessions.AuthenticateAsync(first.Token!, default), Is.EqualTo(FederatedIdentity.UserName(Issuer, "Ab9f")));
        Assert.That(await access.PermissionsAsync(FederatedIdentity.UserName(Issuer, "Ab9f"), default), Is.EquivalentTo(new[]
        {
            Permission.ReadPrescriptions, Permission.Annotate,
        }));

        // An intruder with the file adds a group the person presents: it gives nothing.
        await pharmacy.TamperAsync($"INSERT INTO federated_claims (user_name, claim_value) VALUES ('{FederatedIdentity.UserName(Issuer, "Ab9f")}', 'rx-pharmacists')");
        await pharmacy.TamperAsync("INSERT INTO claim_role_mappings (claim_value, role_name, created_at, created_by) VALUES ('rx-pharmacists', 'Pharmacist', '2026-01-01T00:00:00.0000000Z', 'admin')");
        Assert.That(await access.PermissionsAsync(FederatedIdentity.UserName(Issuer, "Ab9f"), default), Does.Not.Contain(Permission.Dispense));

        // Nor does a binding planted for a new name.
        await pharmacy.TamperAsync($"""
            INSERT INTO users (user_name, full_name, initials, status, password_hash, created_at, kind, created_by, password_change_required)
            VALUES ('{FederatedIdentity.UserName(Issuer, "planted")}', 'Planted', 'P', 'Active', '!', '2026-01-01T00:00:00.0000000Z', 'Federated', 'admin', 0);
            INSERT INTO federated_identities (user_name, issuer, subject, created_at) VALUES ('{FederatedIdentity.UserName(Issuer, "planted")}', '{Issuer}', 'planted', '2026-01-01T00:00:00.0000000Z');
            """);
        var planted = await sessions.LoginFederatedAsync(new(Issuer, "planted", "Planted", "groups", ["rx-techs"]), default);
        Assert.That(planted.Outcome, Is.EqualTo(LoginOutcome.Failed));

        // And a password opens no federated account, whatever its hash says; nor is one given to it.
        var password = await sessions.LoginAsync(FederatedIdentity.UserName(Issuer, "Ab9f"), "any-password-at-all", default);
        Assert.That(password.Outcome, Is.EqualTo(LoginOutcome.Failed));
        var reset = await service.Services.GetRequiredService<UserAdministration>().ResetPasswordAsync(FederatedIdentity.UserName(Issuer, "Ab9f"), "admin", default);
        Assert.That(reset.Result.Outcome, Is.EqualTo(AccessOutcome.Refused));
        Assert.That(reset.Password, Is.Null);
    }

    /// <summary>A second administrator, with a password of its own, so the two-person rule applies.</summary>
    private static async Task SecondAdministratorAsync(InstalledPharmacy pharmacy)
    {
        var admin2 = await pharmacy.RunAsync("users", "add", "admin2", "--full-name", "Synthetic Admin", "--initials", "SA", "--role", "PharmacyAdmin");
        Assert.That(admin2.ExitCode, Is.Zero, admin2.Error);
        await using var service = await RunningService.StartAsync(pharmacy);
        await service.SetOwnPasswordAsync("admin2", admin2.JsonLines[0].GetProperty("password").GetString()!, "amber-railway-58-willow");
        await service.SetOwnPasswordAsync("admin", pharmacy.InitOutput.GetProperty("adminPassword").GetString()!, AdminPassword);
    }

    private static SqliteConnection ReadOnly(InstalledPharmacy pharmacy) => new($"Data Source={pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
}
