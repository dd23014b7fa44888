using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Tests.Api;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Integrity;

/// <summary>
/// Someone with the data folder but not the key password edits the database file while <c>serve</c> runs, writing events
/// with the public chain hash (<see cref="Intruder"/>). None of it may change what a pharmacist may do, no signed head
/// may vouch for it, and verify and the report must name it (1311.205(b)(16), 1311.215(a)(2), (a)(5)).
/// </summary>
public class KeyedChainAttackTests
{
    private static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task<(InstalledPharmacy Pharmacy, Guid Receipt)> PharmacyWithAsync(SyntheticNewRx message)
    {
        var pharmacy = await InstalledPharmacy.CreateAsync();
        var run = await pharmacy.IngestAsync(message);
        Assert.That(run.ExitCode, Is.Zero, run.Error);
        return (pharmacy, run.JsonLines[0].GetProperty("receiptId").GetGuid());
    }

    private static async Task<List<ChainedAuditEvent>> EventsAsync(RunningService service, string type) =>
        await service.Services.GetRequiredService<AuditLog>().ReadAllAsync(CancellationToken.None).Where(e => e.Event.Type == type).ToListAsync();

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task A_fill_forged_with_the_public_hash_refuses_no_real_fill_no_head_is_signed_over_it_and_it_is_reported()
    {
        var (pharmacy, receipt) = await PharmacyWithAsync(new SyntheticNewRx { MessageId = "K-1", Quantity = "30" });
        using var _ = pharmacy;
        await using var service = await RunningService.StartAsync(pharmacy);
        using var pharmacist = await CoverageAttackTests.PharmacistAsync(pharmacy, service);

        long[] forged;
        await using (var intruder = new Intruder(pharmacy.Data.DatabasePath))
        {
            await intruder.ExecuteAsync("""
                INSERT INTO dispensings (receipt_id, quantity, quantity_unit, date_dispensed, dispenser, refill_number, recorded_at, recorded_by)
                VALUES (@Receipt, '20', 'tablet', @Today, 'SP', 0, @Now, 'pharm1')
                """, new { Receipt = receipt.ToString("D"), Today, Now = ReceiptSeal.FormatTimestamp(DateTimeOffset.UtcNow) });
            var id = await intruder.ScalarAsync<long>("SELECT max(id) FROM dispensings");
            var dispensed = await intruder.AppendAsync(new AuditEvent(DateTimeOffset.UtcNow, AuditEventTypes.PrescriptionDispensed, "pharm1", AuditOutcome.Success,
                receipt.ToString("D"), $"dispensing {id}; quantity=20; refill=0"));
            var covered = await intruder.CoverAsync("dispensings", id.ToString(CultureInfo.InvariantCulture), $"id = {id}");
            forged = [dispensed, covered];
        }
        using var fill = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/dispensings", new { quantity = 30, dateDispensed = Today, dispenser = "SP" });
        var head = await service.Services.GetRequiredService<ChainHeads>().SignAsync(CancellationToken.None);
        var intrusions = await EventsAsync(service, AuditEventTypes.ChainIntrusion);
        var verify = await pharmacy.RunAsync("verify");

        Assert.That(fill.StatusCode, Is.EqualTo(HttpStatusCode.Created), await fill.Content.ReadAsStringAsync());
        Assert.That(head?.Sequence, Is.GreaterThan(forged.Max()), "a head is signed after the forged events");
        Assert.That(forged, Does.Not.Contain(head!.Sequence));
        Assert.That(intrusions, Has.Count.EqualTo(1));
        Assert.That(intrusions[0].Event.Details, Does.StartWith($"sequences={forged[0]}-{forged[1]};"));
        Assert.That(verify.ExitCode, Is.EqualTo(1), verify.Output);
        Assert.That(verify.Output, Does.Contain($"FAIL audit event {forged[0]} was not written by the service"));
        Assert.That(verify.Output, Does.Contain($"FAIL audit event {forged[1]} was not written by the service"));
        Assert.That(verify.Output, Does.Match(@"events from sequence \d+ on are keyed; their MACs checked under chain key [0-9a-f]{16}"));
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task Anonymous_traffic_after_a_forged_event_signs_heads_only_over_the_services_own_events()
    {
        var (pharmacy, _) = await PharmacyWithAsync(new SyntheticNewRx { MessageId = "K-2" });
        using var _pharmacy = pharmacy;
        await using var service = await RunningService.StartAsync(pharmacy);
        long forged;
        await using (var intruder = new Intruder(pharmacy.Data.DatabasePath))
        {
            forged = await intruder.AppendAsync(new AuditEvent(DateTimeOffset.UtcNow, AuditEventTypes.UserCreated, "admin", AuditOutcome.Success, "ghost", "planted"),
                mac: "0123456789abcdef:" + new string('a', 64));
        }
        using var anonymous = service.Client();
        for (var i = 0; i < 20; i++)
        {
            using var refused = await anonymous.PostAsync("/api/inbound", new ByteArrayContent(new SyntheticNewRx { MessageId = $"ANON-{i}" }.ToBytes()));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
        var head = await service.Services.GetRequiredService<ChainHeads>().SignAsync(CancellationToken.None);
        var all = await service.Services.GetRequiredService<AuditLog>().ReadAllAsync(CancellationToken.None).ToListAsync();
        var keys = service.Services.GetRequiredService<ChainKeyRing>();

        Assert.That(head?.Sequence, Is.GreaterThan(forged), "a head is signed after the forged event");
        var signed = all.Single(e => e.Sequence == head!.Sequence);
        Assert.That(keys.Holds(signed.Hash, signed.Mac), Is.True, "the signed head is an event the service wrote");
        Assert.That(all.Single(e => e.Sequence == forged + 1).PreviousHash, Is.EqualTo(all.Single(e => e.Sequence == forged - 1).Hash),
            "the service's next event links past the forged one");
        Assert.That((await EventsAsync(service, AuditEventTypes.ChainIntrusion)).Single().Event.Details, Does.StartWith($"sequences={forged};"));
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task A_cancellation_forged_with_the_public_hash_cancels_nothing()
    {
        var (pharmacy, receipt) = await PharmacyWithAsync(new SyntheticNewRx { MessageId = "K-3" });
        using var _ = pharmacy;
        await using var service = await RunningService.StartAsync(pharmacy);
        using var pharmacist = await CoverageAttackTests.PharmacistAsync(pharmacy, service);
        await using (var intruder = new Intruder(pharmacy.Data.DatabasePath))
        {
            await intruder.AppendAsync(new AuditEvent(DateTimeOffset.UtcNow, AuditEventTypes.PrescriptionCancelled, "sender:someone", AuditOutcome.Success,
                receipt.ToString("D"), "cancelled by the prescriber"));
        }

        using var fill = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/dispensings", new { quantity = 20, dateDispensed = Today, dispenser = "SP" });

        Assert.That(fill.StatusCode, Is.EqualTo(HttpStatusCode.Created), await fill.Content.ReadAsStringAsync());
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task A_session_planted_in_the_file_opens_nothing()
    {
        var (pharmacy, _) = await PharmacyWithAsync(new SyntheticNewRx { MessageId = "K-4" });
        using var _pharmacy = pharmacy;
        await using var service = await RunningService.StartAsync(pharmacy);
        const string token = "prs_planted-session-token-of-the-intruder";
        await using (var intruder = new Intruder(pharmacy.Data.DatabasePath))
        {
            var now = ReceiptSeal.FormatTimestamp(DateTimeOffset.UtcNow);
            await intruder.ExecuteAsync("""
                INSERT INTO sessions (token_sha256, user_name, created_at, last_seen_at, password_change_only) VALUES (@Hash, 'admin', @Now, @Now, 0)
                """, new { Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), Now = now });
        }
        using var client = service.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var users = await client.GetAsync("/api/users");

        Assert.That(users.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task A_grant_planted_with_its_coverage_forged_grants_nothing()
    {
        await using var loopback = await LoopbackPharmacy.StartAsync();
        var ingest = await loopback.Pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "K-5" });
        Assert.That(ingest.ExitCode, Is.Zero, ingest.Error);
        var receipt = ingest.JsonLines[0].GetProperty("receiptId").GetGuid();
        using var admin = await loopback.SignedInAsync("admin");
        using (var created = await loopback.CreateUserAsync(admin, "tech1", "Technician"))
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }
        using var technician = await loopback.SignedInAsync("tech1");
        await using (var intruder = new Intruder(loopback.Pharmacy.Data.DatabasePath))
        {
            await intruder.ExecuteAsync("INSERT INTO user_permissions (user_name, permission) VALUES ('tech1', 'Dispense')");
            await intruder.CoverAsync("user_permissions", "tech1\u001fDispense", "user_name = 'tech1' AND permission = 'Dispense'");
        }

        using var fill = await technician.PostAsJsonAsync($"/api/prescriptions/{receipt}/dispensings", new { quantity = 20, dateDispensed = Today, dispenser = "SP" });

        Assert.That(fill.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task A_sender_planted_with_its_coverage_forged_is_refused()
    {
        var (pharmacy, _) = await PharmacyWithAsync(new SyntheticNewRx { MessageId = "K-6" });
        using var _pharmacy = pharmacy;
        await using var service = await RunningService.StartAsync(pharmacy);
        const string key = "prx_sender_planted-key-of-the-intruder-0001";
        await using (var intruder = new Intruder(pharmacy.Data.DatabasePath))
        {
            await intruder.ExecuteAsync("""
                INSERT INTO senders (sender_name, key_sha256, created_at, created_by) VALUES ('planted', @Hash, @Now, 'admin')
                """, new { Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), Now = ReceiptSeal.FormatTimestamp(DateTimeOffset.UtcNow) });
            await intruder.CoverAsync("senders", "planted", "sender_name = 'planted'");
        }
        using var sender = service.Client(key);

        using var posted = await sender.PostAsync("/api/inbound", new ByteArrayContent(new SyntheticNewRx { MessageId = "K-7" }.ToBytes()));

        Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    [Property("Rule", "1311.205(b)(16)")]
    public async Task After_a_key_rotation_a_restore_on_a_fresh_host_with_the_pin_and_password_verifies_the_keyed_chain_under_both_keys()
    {
        var (pharmacy, _) = await PharmacyWithAsync(new SyntheticNewRx { MessageId = "K-8" });
        using var _pharmacy = pharmacy;
        var rotate = await pharmacy.RunAsync("keys", "rotate");
        var second = await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "K-9", PrescriberOrderNumber = "O-9" });
        var backup = (await pharmacy.RunAsync("backup", "run")).JsonLines[0].GetProperty("backup").GetString()!;
        var restored = Path.Combine(pharmacy.Folder, "restored");
        var pin = pharmacy.InitOutput.GetProperty("pin").GetString()!;

        var restore = await Backup.BackupTests.RunElsewhereAsync(pharmacy, "backup", "restore", backup, "--data", restored, "--pin", pin);
        var verify = await Backup.BackupTests.RunElsewhereAsync(pharmacy, "verify", "--data", restored, "--pin", pin);

        Assert.That((rotate.ExitCode, second.ExitCode, restore.ExitCode), Is.EqualTo((0, 0, 0)), rotate.Error + second.Error + restore.Error);
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
        Assert.That(verify.Output, Does.Match(@"their MACs checked under chain key [0-9a-f]{16}, [0-9a-f]{16}"));
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task Stripping_the_MAC_of_where_the_chain_became_keyed_does_not_make_a_forged_event_count()
    {
        var (pharmacy, receipt) = await PharmacyWithAsync(new SyntheticNewRx { MessageId = "K-10" });
        using var _ = pharmacy;
        long keyedAt;
        await using (var intruder = new Intruder(pharmacy.Data.DatabasePath))
        {
            keyedAt = await intruder.ScalarAsync<long>("SELECT min(sequence) FROM audit_events WHERE event_type = 'ChainKeyed'");
            await intruder.ExecuteAsync("DROP TRIGGER IF EXISTS audit_events_no_update; UPDATE audit_events SET mac = NULL WHERE event_type = 'ChainKeyed'");
            await intruder.AppendAsync(new AuditEvent(DateTimeOffset.UtcNow, AuditEventTypes.PrescriptionCancelled, "sender:someone", AuditOutcome.Success,
                receipt.ToString("D"), "cancelled by the prescriber"));
        }
        await using var service = await RunningService.StartAsync(pharmacy);
        using var pharmacist = await CoverageAttackTests.PharmacistAsync(pharmacy, service);

        using var fill = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/dispensings", new { quantity = 20, dateDispensed = Today, dispenser = "SP" });
        var verify = await pharmacy.RunAsync("verify");

        Assert.That(fill.StatusCode, Is.EqualTo(HttpStatusCode.Created), await fill.Content.ReadAsStringAsync());
        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Output, Does.Contain($"FAIL audit event {keyedAt} was not written by the service"));
    }
}
