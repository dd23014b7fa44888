using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Api;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Integrity;

/// <summary>
/// What an intruder with the database file and the data folder (not the key password) tried, and verify or the dispensing
/// rules missed: each case on the real SQLite file with the triggers dropped, the service over HTTP.
/// </summary>
public class CoverageAttackTests
{
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task<(InstalledPharmacy Pharmacy, Guid[] Receipts)> PharmacyWithRecordsAsync(params SyntheticNewRx[] messages)
    {
        var pharmacy = await InstalledPharmacy.CreateAsync();
        var run = await pharmacy.IngestAsync(messages.Length > 0 ? messages :
        [
            new SyntheticNewRx { MessageId = "C-1", PrescriberOrderNumber = "O-1" },
            new SyntheticNewRx { MessageId = "C-2", PrescriberOrderNumber = "O-2" },
            new SyntheticNewRx { MessageId = "C-3", PrescriberOrderNumber = "O-3" },
        ]);
        Assert.That(run.ExitCode, Is.Zero, run.Error);
        return (pharmacy, run.JsonLines.Select(line => line.GetProperty("receiptId").GetGuid()).ToArray());
    }

    private static Task IntrudeAsync(InstalledPharmacy pharmacy, string sql) =>
        pharmacy.TamperAsync("""
            DROP TRIGGER IF EXISTS prescription_archive_no_delete; DROP TRIGGER IF EXISTS prescriptions_no_delete;
            DROP TRIGGER IF EXISTS prescriptions_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete; DROP TRIGGER IF EXISTS audit_events_no_update;
            DROP TRIGGER IF EXISTS dispensings_no_delete; DROP TRIGGER IF EXISTS dispensings_no_update;
            """ + sql);

    private static async Task<InstalledPharmacy.Run> VerifyAsync(InstalledPharmacy pharmacy) => await pharmacy.RunAsync("verify");

    [Test]
    public async Task Finds_a_whole_archived_record_deleted()
    {
        var (pharmacy, receipts) = await PharmacyWithRecordsAsync();
        using var _ = pharmacy;

        await IntrudeAsync(pharmacy, $"DELETE FROM prescriptions WHERE receipt_id = '{receipts[1]:D}'; DELETE FROM prescription_archive WHERE receipt_id = '{receipts[1]:D}';");
        var verify = await VerifyAsync(pharmacy);

        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Output, Does.Contain($"FAIL table prescription_archive row {receipts[1]:D} is in the audit chain but not in the table"));
    }

    [Test]
    public async Task Says_how_far_it_can_prove_the_trail_complete_and_finds_a_tail_cut_before_a_signed_head()
    {
        var (pharmacy, _) = await PharmacyWithRecordsAsync();
        using var _pharmacy = pharmacy;
        var lastHead = Directory.EnumerateFiles(Path.Combine(pharmacy.Data.Root, "heads"), "head-*.json").Order().Last();
        var headSequence = long.Parse(Path.GetFileNameWithoutExtension(lastHead)["head-".Length..], CultureInfo.InvariantCulture);
        // A later event (a verify run) is past the last signed head: its loss could not be proven, and verify says so.
        await VerifyAsync(pharmacy);
        await IntrudeAsync(pharmacy, $"DELETE FROM audit_events WHERE sequence > {headSequence + 1};");

        var afterHead = await VerifyAsync(pharmacy);
        await IntrudeAsync(pharmacy, $"DELETE FROM audit_events WHERE sequence >= {headSequence};");
        var beforeHead = await VerifyAsync(pharmacy);

        Assert.That(afterHead.Output, Does.Contain($"no truncation provable beyond head {headSequence} signed at "));
        Assert.That(beforeHead.ExitCode, Is.EqualTo(1));
        Assert.That(beforeHead.Output, Does.Contain($"FAIL signed head {headSequence} (signed at ").And.Contain("is beyond the end of the audit trail: the trail was truncated"));
    }

    [Test]
    [Property("Rule", "1311.205(b)(16)")]
    public async Task Finds_audit_events_deleted_and_the_chain_recomputed()
    {
        var (pharmacy, receipts) = await PharmacyWithRecordsAsync();
        using var _ = pharmacy;

        await IntrudeAsync(pharmacy, $"DELETE FROM audit_events WHERE event_type = 'PrescriptionReceived' AND target = '{receipts[0]:D}';");
        await using (var connection = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await TamperMatrixTests.RecomputeChainAsync(connection);
        }
        var verify = await VerifyAsync(pharmacy);

        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Output, Does.Contain("no longer matches signed head").And.Contain("the trail was rewritten"));
    }

    [Test]
    public async Task Finds_a_trail_rewritten_with_its_heads_removed_by_the_copies_in_the_second_folder()
    {
        using var second = new TempFolder();
        Environment.SetEnvironmentVariable("Backup__SecondFolder", second.Path);
        try
        {
            var (pharmacy, receipts) = await PharmacyWithRecordsAsync();
            using var _ = pharmacy;
            Assert.That(Directory.EnumerateFiles(Path.Combine(second.Path, "heads"), "head-*.json").Count(), Is.GreaterThan(0), "heads are copied out");

            // Someone with the data folder removes a record's receipt event, every trace of the signed heads inside the data
            // folder, and recomputes the chain: inside the data folder nothing is left to contradict them.
            await IntrudeAsync(pharmacy, $"DELETE FROM audit_events WHERE (event_type = 'PrescriptionReceived' AND target = '{receipts[0]:D}') OR event_type = 'ChainHeadSigned';");
            await using (var connection = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Pooling=False"))
            {
                await connection.OpenAsync();
                await TamperMatrixTests.RecomputeChainAsync(connection);
            }
            Directory.Delete(Path.Combine(pharmacy.Data.Root, "heads"), recursive: true);
            var verify = await VerifyAsync(pharmacy);

            Assert.That(verify.ExitCode, Is.EqualTo(1), verify.Output);
            Assert.That(verify.Output, Does.Contain("in the second folder").And.Contain("the trail was"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("Backup__SecondFolder", null);
        }
    }

    [Test]
    public async Task Finds_a_head_file_deleted()
    {
        var (pharmacy, _) = await PharmacyWithRecordsAsync();
        using var _pharmacy = pharmacy;
        var head = Directory.EnumerateFiles(Path.Combine(pharmacy.Data.Root, "heads"), "head-*.json").Single();

        File.Delete(head);
        var verify = await VerifyAsync(pharmacy);

        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Output, Does.Contain($"has no head file {head}: it was deleted"));
    }

    [Test]
    public async Task Finds_a_head_file_edited()
    {
        var (pharmacy, _) = await PharmacyWithRecordsAsync();
        using var _pharmacy = pharmacy;
        var head = Directory.EnumerateFiles(Path.Combine(pharmacy.Data.Root, "heads"), "head-*.json").Single();
        var json = JsonDocument.Parse(await File.ReadAllTextAsync(head)).RootElement;

        await File.WriteAllTextAsync(head, (await File.ReadAllTextAsync(head)).Replace(json.GetProperty("hash").GetString()!, new string('0', 64), StringComparison.Ordinal));
        var verify = await VerifyAsync(pharmacy);

        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Output, Does.Contain($"FAIL head file {head}: its signature does not verify with a pharmacy certificate: it was altered"));
    }

    [Test]
    public async Task Finds_raised_refills_and_the_rules_keep_to_the_prescription_as_received()
    {
        var (pharmacy, receipts) = await PharmacyWithRecordsAsync(new SyntheticNewRx { MessageId = "C-4", ScheduleCode = "C48677", Quantity = "60", Refills = "0" });
        using var _ = pharmacy;
        await using var service = await RunningService.StartAsync(pharmacy);
        using var pharmacist = await PharmacistAsync(pharmacy, service);

        await IntrudeAsync(pharmacy, $"UPDATE prescriptions SET refills_authorized = '5' WHERE receipt_id = '{receipts[0]:D}';");
        using var fill = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipts[0]}/dispensings", Dispensing(120));
        var verify = await VerifyAsync(pharmacy);

        Assert.That(await CodeAsync(fill), Is.EqualTo("QuantityExceeded"));
        Assert.That(verify.Output, Does.Contain("FAIL table prescriptions row 1 does not match the hash the audit chain recorded: it was altered"));
    }

    [Test]
    public async Task Refuses_93_units_of_an_unreviewed_60_unit_CIV_after_a_review_annotation_inserted_with_SQL()
    {
        var (pharmacy, receipts) = await PharmacyWithRecordsAsync(
            new SyntheticNewRx { MessageId = "C-5", ScheduleCode = "C48677", Quantity = "60", Refills = "1", SignatureIndicator = null });
        using var _ = pharmacy;
        await using var service = await RunningService.StartAsync(pharmacy);
        using var pharmacist = await PharmacistAsync(pharmacy, service);

        await IntrudeAsync(pharmacy, $"""
            INSERT INTO annotations (receipt_id, annotation_type, fields, created_at, created_by)
            VALUES ('{receipts[0]:D}', 'PharmacistReview', '{"{"}"note":"ok"{"}"}', '2026-11-20T15:00:00.0000000Z', 'pharm1');
            """);
        using var fill = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipts[0]}/dispensings", Dispensing(93));
        var verify = await VerifyAsync(pharmacy);

        Assert.That(await CodeAsync(fill), Is.EqualTo("StatusNotDispensable"));
        Assert.That(verify.Output, Does.Contain("FAIL table annotations row 1 is not in the audit chain"));
        Assert.That(verify.Output, Does.Contain("recorded a mismatch: annotations row 1 does not match the audit chain: the dispensing rules ignored it"));
    }

    [Test]
    public async Task Refuses_to_dispense_an_unreviewed_prescription_after_a_status_change_inserted_with_SQL()
    {
        var (pharmacy, receipts) = await PharmacyWithRecordsAsync(
            new SyntheticNewRx { MessageId = "C-6", ScheduleCode = "C48677", Quantity = "60", SignatureIndicator = null });
        using var _ = pharmacy;
        await using var service = await RunningService.StartAsync(pharmacy);
        using var pharmacist = await PharmacistAsync(pharmacy, service);

        await IntrudeAsync(pharmacy, $"""
            INSERT INTO verification_events (receipt_id, occurred_at, status, reason_code, reason, seal, signer_thumbprint)
            VALUES ('{receipts[0]:D}', '2026-11-20T15:00:00.0000000Z', 'VerifiedOnReceipt', '', '', zeroblob(64), 'none');
            """);
        using var fill = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipts[0]}/dispensings", Dispensing(10));

        Assert.That(await CodeAsync(fill), Is.EqualTo("RecordNotVerified"));
    }

    [Test]
    public async Task Refuses_to_dispense_a_cancelled_prescription_after_its_CancelRx_was_deleted_with_SQL()
    {
        var (pharmacy, receipts) = await PharmacyWithRecordsAsync(
            new SyntheticNewRx { MessageId = "C-7" },
            new SyntheticNewRx { Transaction = "CancelRx", MessageId = "CX-7", RelatesToMessageId = "C-7", DeaNumber = "" });
        using var _ = pharmacy;
        await using var service = await RunningService.StartAsync(pharmacy);
        using var pharmacist = await PharmacistAsync(pharmacy, service);
        using var before = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipts[0]}/dispensings", Dispensing(10));

        await IntrudeAsync(pharmacy, $"DELETE FROM prescription_archive WHERE receipt_id = '{receipts[1]:D}';");
        using var after = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipts[0]}/dispensings", Dispensing(10));

        Assert.That(await CodeAsync(before), Is.EqualTo("Cancelled"));
        Assert.That(await CodeAsync(after), Is.EqualTo("Cancelled"), "the chain still says it was cancelled");
    }

    [Test]
    public async Task Refuses_a_fill_past_the_prescribed_quantity_after_the_earlier_fill_was_deleted_with_SQL()
    {
        var (pharmacy, receipts) = await PharmacyWithRecordsAsync(new SyntheticNewRx { MessageId = "C-8", Quantity = "20" });
        using var _ = pharmacy;
        await using var service = await RunningService.StartAsync(pharmacy);
        using var pharmacist = await PharmacistAsync(pharmacy, service);
        using var first = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipts[0]}/dispensings", Dispensing(20));
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));

        await IntrudeAsync(pharmacy, $"DELETE FROM dispensings WHERE receipt_id = '{receipts[0]:D}';");
        using var second = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipts[0]}/dispensings", Dispensing(20));

        Assert.That(await CodeAsync(second), Is.EqualTo("RecordNotVerified"), "the chain holds a fill the table no longer shows");
    }

    [Test]
    public async Task Refuses_to_dispense_a_voided_prescription_after_its_void_annotation_was_deleted_with_SQL()
    {
        var (pharmacy, receipts) = await PharmacyWithRecordsAsync(new SyntheticNewRx { MessageId = "C-9" });
        using var _ = pharmacy;
        await using var service = await RunningService.StartAsync(pharmacy);
        using var pharmacist = await PharmacistAsync(pharmacy, service);
        using var voided = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipts[0]}/void", new { reason = "entered in error" });
        Assert.That((int)voided.StatusCode, Is.LessThan(300), await voided.Content.ReadAsStringAsync());

        await IntrudeAsync(pharmacy, $"DROP TRIGGER IF EXISTS annotations_no_delete; DELETE FROM annotations WHERE receipt_id = '{receipts[0]:D}';");
        using var fill = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipts[0]}/dispensings", Dispensing(5));

        Assert.That(await CodeAsync(fill), Is.EqualTo("RecordNotVerified"), "the chain holds a void the table no longer shows");
    }

    [Test]
    public async Task Finds_a_dispensing_deleted_and_one_edited()
    {
        var (pharmacy, receipts) = await PharmacyWithRecordsAsync();
        using var _ = pharmacy;
        await using (var service = await RunningService.StartAsync(pharmacy))
        {
            using var pharmacist = await PharmacistAsync(pharmacy, service);
            foreach (var receipt in receipts.Take(2))
            {
                using var fill = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/dispensings", Dispensing(5));
                Assert.That(fill.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            }
        }

        await IntrudeAsync(pharmacy, "DELETE FROM dispensings WHERE id = 1; UPDATE dispensings SET quantity = '1' WHERE id = 2;");
        var verify = await VerifyAsync(pharmacy);

        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Output, Does.Contain("FAIL table dispensings row 1 is in the audit chain but not in the table: it was deleted")
            .And.Contain("FAIL table dispensings row 2 does not match the hash the audit chain recorded: it was altered"));
    }

    [Test]
    public async Task An_edit_to_a_grant_is_not_laundered_by_a_later_legitimate_change()
    {
        var (pharmacy, _) = await PharmacyWithRecordsAsync();
        using var _pharmacy = pharmacy;
        Assert.That((await pharmacy.RunAsync("users", "add", "tech1", "--full-name", "Synthetic Tech", "--initials", "ST", "--role", "Technician")).ExitCode, Is.Zero);

        await pharmacy.TamperAsync("INSERT INTO user_permissions (user_name, permission) VALUES ('tech1', 'Dispense');");
        // The same table changed legitimately afterwards: the intruder's row must not become part of what the chain records.
        Assert.That((await pharmacy.RunAsync("users", "grant", "tech1", "Export")).ExitCode, Is.Zero);
        var verify = await VerifyAsync(pharmacy);

        Assert.That(verify.Output, Does.Contain("FAIL table user_permissions row tech1 / Dispense is not in the audit chain"));
        Assert.That(verify.Output, Does.Contain("recorded a mismatch: user_permissions row tech1 / Dispense: a row the audit chain never recorded"));
        Assert.That(verify.Output, Does.Not.Contain("row tech1 / Export"));
    }

    [Test]
    public async Task An_edit_to_a_user_is_not_laundered_when_the_same_row_changes_legitimately_afterwards()
    {
        var (pharmacy, _) = await PharmacyWithRecordsAsync();
        using var _pharmacy = pharmacy;
        Assert.That((await pharmacy.RunAsync("users", "add", "tech1", "--full-name", "Synthetic Tech", "--initials", "ST", "--role", "Technician")).ExitCode, Is.Zero);

        await pharmacy.TamperAsync("UPDATE users SET full_name = 'Someone Else' WHERE user_name = 'tech1';");
        // The same row changed legitimately afterwards: the change is recorded, the edit before it is not passed off as legitimate.
        Assert.That((await pharmacy.RunAsync("users", "disable", "tech1")).ExitCode, Is.Zero);
        var verify = await VerifyAsync(pharmacy);

        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Output, Does.Contain("recorded a mismatch: users row tech1: a row changed since the audit chain recorded it"));
    }

    private static object Dispensing(decimal quantity, string? date = null, string? reason = null) =>
        new { quantity, dateDispensed = date ?? Today, dispenser = "SP", reason };

    internal static async Task<string?> CodeAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(422), text);
        return JsonDocument.Parse(text).RootElement.GetProperty("code").GetString();
    }

    internal static async Task<HttpClient> PharmacistAsync(InstalledPharmacy pharmacy, RunningService service)
    {
        var added = await pharmacy.RunAsync("users", "add", "pharm1", "--full-name", "Synthetic Pharmacist", "--initials", "SP", "--role", DefaultRoles.Pharmacist);
        Assert.That(added.ExitCode, Is.Zero, added.Error);
        var oneTime = added.JsonLines[0].GetProperty("password").GetString()!;
        var client = new HttpClient { BaseAddress = service.BaseAddress };
        using var login = await client.PostAsJsonAsync("/api/sessions", new SessionApi.LoginRequest("pharm1", oneTime));
        login.EnsureSuccessStatusCode();
        var session = await login.Content.ReadFromJsonAsync<SessionApi.LoginResponse>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session!.Token);
        // A new user's password is one-time: the first session may only change it.
        using var change = await client.PutAsJsonAsync("/api/me/password", new SessionApi.PasswordChange(oneTime, oneTime + "-Changed-7q"));
        Assert.That(change.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.NoContent), await change.Content.ReadAsStringAsync());
        return client;
    }
}
