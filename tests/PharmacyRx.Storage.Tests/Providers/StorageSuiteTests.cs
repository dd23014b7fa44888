using System.Data.Common;
using Dapper;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Export;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Access;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Export;
using PharmacyRx.Storage.Prescriptions;
using PharmacyRx.Testing;

namespace PharmacyRx.Storage.Tests.Providers;

/// <summary>
/// The storage suite, once per provider: SQLite always, SQL Server when one is given (else skipped, with the reason).
/// </summary>
[TestFixtureSource(typeof(ProviderStore), nameof(ProviderStore.Names))]
public partial class StorageSuiteTests(string provider)
{
    // The actor of the audit chain's RowsCovered events, left out where a test reads what the stores audited.
    private const string CoverageActor = "system:coverage";

    private ProviderStore _store = null!;

    [SetUp]
    public async Task OpenStore() => _store = await ProviderStore.CreateAsync(provider);

    [TearDown]
    public async Task CloseStore()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Test]
    public async Task Migrations_apply_once_and_record_every_script()
    {
        var migrator = new SchemaMigrator(_store.Database, TimeProvider.System);

        var again = await migrator.MigrateAsync(CancellationToken.None);

        await using var connection = await _store.Database.OpenAsync(CancellationToken.None);
        Assert.That(again, Is.Zero);
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations"), Is.EqualTo(migrator.Scripts().Count));
    }

    [Test]
    public async Task The_same_message_twice_is_one_record_and_the_second_answer_is_the_duplicate()
    {
        await using var writer = _store.Writer();

        var first = await writer.AppendAsync(ProviderStore.Entry("TWICE-1"), CancellationToken.None);
        var second = await writer.AppendAsync(ProviderStore.Entry("TWICE-1"), CancellationToken.None);

        Assert.That((first.IsDuplicate, second.IsDuplicate, second.ReceiptId), Is.EqualTo((false, true, first.ReceiptId)));
    }

    [Test]
    public async Task Two_hosts_writing_at_once_lose_nothing_duplicate_nothing_and_keep_one_chain()
    {
        // Two instances of the service on one database: each its own connection pool and archive writer, as two processes.
        await using var one = _store.Writer(_store.Database);
        await using var two = _store.Writer(_store.OpenAnother());
        var shared = Enumerable.Range(0, 60).Select(i => $"SHARED-{i}").ToArray();

        var results = await Task.WhenAll(
            shared.Select(id => one.AppendAsync(ProviderStore.Entry(id), CancellationToken.None))
                .Concat(shared.Select(id => two.AppendAsync(ProviderStore.Entry(id), CancellationToken.None)))
                .Concat(Enumerable.Range(0, 40).Select(i => one.AppendAsync(ProviderStore.Entry($"ONE-{i}"), CancellationToken.None)))
                .Concat(Enumerable.Range(0, 40).Select(i => two.AppendAsync(ProviderStore.Entry($"TWO-{i}"), CancellationToken.None))));

        await using var connection = await _store.Database.OpenAsync(CancellationToken.None);
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM prescription_archive"), Is.EqualTo(60 + 40 + 40));
        Assert.That(results.Count(r => r.IsDuplicate), Is.EqualTo(60), "each shared message answered once as archived, once as the duplicate");
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT prescription_number) FROM prescriptions"), Is.EqualTo(140));
        var audit = await new AuditLog(_store.Database).ReadAllAsync(CancellationToken.None).ToListAsync();
        Assert.That(audit.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, audit.Count).Select(i => (long)i)), "one chain, no gap, no fork");
        Assert.That(AuditChain.FindBreaks(audit), Is.Empty);
        Assert.That(audit.Count(e => e.Event.Type == AuditEventTypes.PrescriptionReceived), Is.EqualTo(140));
        Assert.That(audit.Count(e => e.Event.Type == AuditEventTypes.DuplicateReceived), Is.EqualTo(60));
    }

    [Test]
    public async Task A_role_is_found_whatever_the_case_it_is_named_in()
    {
        var access = new AccessStore(_store.Database, TimeProvider.System);

        var granted = await access.ChangeRoleAsync("technician", Permission.Dispense, grant: true, "admin", CancellationToken.None);
        var again = await access.ChangeRoleAsync("TECHNICIAN", Permission.Dispense, grant: true, "admin", CancellationToken.None);
        var afterGrant = (await access.ListRolesAsync(CancellationToken.None)).Single(r => r.RoleName == "Technician").Permissions;
        var revoked = await access.ChangeRoleAsync("Technician", Permission.Dispense, grant: false, "admin", CancellationToken.None);
        var afterRevoke = (await access.ListRolesAsync(CancellationToken.None)).Single(r => r.RoleName == "Technician").Permissions;

        Assert.That((granted, again, revoked), Is.EqualTo((AccessResult.Changed, AccessResult.Unchanged, AccessResult.Changed)));
        Assert.That(afterGrant, Is.EqualTo(new[] { "Annotate", "Dispense", "ReadPrescriptions" }), "joined in order");
        Assert.That(afterRevoke, Is.EqualTo(new[] { "Annotate", "ReadPrescriptions" }));
    }

    [Test]
    public async Task Search_pages_through_prescriptions_in_receipt_order()
    {
        await using (var writer = _store.Writer())
        {
            for (var i = 0; i < 5; i++)
            {
                await writer.AppendAsync(ProviderStore.Entry($"PAGE-{i}"), CancellationToken.None);
            }
        }
        var search = new PrescriptionSearch(_store.Database, new PharmacyClock(TimeProvider.System, TimeZoneInfo.Utc), new PatientSearchIndex(_store.Database, new PharmacyRx.Core.Receiving.ScriptMessageReader()));

        var first = await search.SearchAsync(new PrescriptionQuery { PageSize = 2, Descending = false }, CancellationToken.None);
        var third = await search.SearchAsync(new PrescriptionQuery { PageSize = 2, Page = 3, Descending = false }, CancellationToken.None);

        Assert.That((first.Rows.Count, first.HasMore, third.Rows.Count, third.HasMore), Is.EqualTo((2, true, 1, false)));
        Assert.That(first.Rows[0].PrescriptionNumber, Is.LessThan(first.Rows[1].PrescriptionNumber));
    }

    [Test]
    public async Task The_queue_groups_and_counts_a_small_archive_and_shows_the_newest_rows_of_each_group()
    {
        var now = DateTimeOffset.UtcNow;
        var ids = new Dictionary<string, Guid>();
        await using (var writer = _store.Writer())
        {
            var minutes = 0;
            foreach (var (name, status, daysAgo) in new (string, PrescriptionStatus, int)[]
            {
                ("open-1", PrescriptionStatus.VerifiedOnReceipt, 0), ("open-2", PrescriptionStatus.VerifiedOnReceipt, 0),
                ("open-3", PrescriptionStatus.ReceiptSigned, 0), ("dispensed", PrescriptionStatus.VerifiedOnReceipt, 0),
                ("voided", PrescriptionStatus.VerifiedOnReceipt, 0), ("cancelled", PrescriptionStatus.VerifiedOnReceipt, 0),
                ("review", PrescriptionStatus.NeedsPharmacistReview, 0), ("reviewed", PrescriptionStatus.NeedsPharmacistReview, 0),
                ("invalid", PrescriptionStatus.Invalid, 0), ("revoked-later", PrescriptionStatus.VerifiedOnReceipt, 0),
                ("old", PrescriptionStatus.VerifiedOnReceipt, 60),
            })
            {
                var entry = ProviderStore.Entry($"QUEUE-{name}") with
                {
                    ReceivedAt = now.AddDays(-daysAgo).AddMinutes(-++minutes),
                    Decision = new ReceiptDecision(status, "Test", "synthetic", []),
                };
                await writer.AppendAsync(entry, CancellationToken.None);
                ids[name] = entry.ReceiptId;
            }
        }
        await using (var connection = await _store.Database.OpenAsync(CancellationToken.None))
        {
            const string work = """
                INSERT INTO dispensings (receipt_id, quantity, quantity_unit, date_dispensed, dispenser, refill_number, recorded_at, recorded_by)
                VALUES (@Dispensed, '30', 'C48542', '2026-01-01', 'pharmacist', 0, '2026-01-01T00:00:00Z', 'pharmacist');
                INSERT INTO annotations (receipt_id, annotation_type, fields, created_at, created_by)
                VALUES (@Voided, 'Void', '{}', '2026-01-01T00:00:00Z', 'pharmacist');
                INSERT INTO annotations (receipt_id, annotation_type, fields, created_at, created_by)
                VALUES (@Reviewed, 'PharmacistReview', '{}', '2026-01-01T00:00:00Z', 'pharmacist');
                INSERT INTO verification_events (receipt_id, occurred_at, status, reason_code, reason, seal, signer_thumbprint)
                VALUES (@Revoked, '2026-01-01T00:00:00Z', 'Invalid', 'Revoked', 'synthetic', @Seal, 'UNSEALED');
                INSERT INTO prescription_archive (receipt_id, received_at, source, dedupe_key, message_id, transaction_kind, status, reason_code, reason,
                  missing_elements, dea_schedule, prescriber_dea_number, prescriber_name, patient_name, drug_description, written_date,
                  cancels_receipt_id, as_received, as_received_sha256, receipt_signature, signer_thumbprint)
                SELECT @CancelRx, received_at, source, @CancelRx, message_id, 'CancelRx', status, reason_code, reason,
                  missing_elements, dea_schedule, prescriber_dea_number, prescriber_name, patient_name, drug_description, written_date,
                  receipt_id, as_received, as_received_sha256, receipt_signature, signer_thumbprint
                FROM prescription_archive WHERE receipt_id = @Cancelled;
                """;
            await connection.ExecuteAsync(work, new
            {
                Dispensed = ids["dispensed"].ToString("D"), Voided = ids["voided"].ToString("D"), Reviewed = ids["reviewed"].ToString("D"),
                Revoked = ids["revoked-later"].ToString("D"), Cancelled = ids["cancelled"].ToString("D"),
                CancelRx = Guid.CreateVersion7().ToString("D"), Seal = new byte[8],
            });
        }
        var names = ids.ToDictionary(pair => pair.Value.ToString("D"), pair => pair.Key);

        var queue = await new WorkQueueReader(_store.Database).ReadAsync(now.AddDays(-30), 2, CancellationToken.None);

        Assert.That(queue.Select(e => $"{e.Group} {names[e.ReceiptId]} {e.Status} of {e.GroupCount}"), Is.EqualTo(new[]
        {
            "Invalid invalid Invalid of 2",
            "Invalid revoked-later Invalid of 2",
            "NeedsReview review NeedsPharmacistReview of 1",
            "NotYetDispensed open-1 VerifiedOnReceipt of 4",
            "NotYetDispensed open-2 VerifiedOnReceipt of 4",
        }));
    }

    [Test]
    public async Task The_queue_stops_counting_open_prescriptions_one_past_its_cap()
    {
        var now = DateTimeOffset.UtcNow;
        await using (var writer = _store.Writer())
        {
            for (var i = 0; i < 6; i++)
            {
                await writer.AppendAsync(ProviderStore.Entry($"QUEUE-CAP-{i}") with { ReceivedAt = now.AddMinutes(-i) }, CancellationToken.None);
            }
        }
        var queue = new WorkQueueReader(_store.Database);

        var capped = await queue.ReadAsync(now.AddDays(-30), 2, CancellationToken.None, countCap: 3);
        var exact = await queue.ReadAsync(now.AddDays(-30), 2, CancellationToken.None, countCap: 6);

        Assert.Multiple(() =>
        {
            Assert.That(capped.Where(e => e.Group == "NotYetDispensed").Select(e => e.GroupCount), Is.EqualTo(new long[] { 4, 4 }));
            Assert.That(exact.Where(e => e.Group == "NotYetDispensed").Select(e => e.GroupCount), Is.EqualTo(new long[] { 6, 6 }));
        });
    }

    [Test]
    public async Task Search_by_status_finds_prescriptions_by_their_current_status_on_receipt_or_after_it()
    {
        var ids = new Dictionary<string, Guid>();
        await using (var writer = _store.Writer())
        {
            foreach (var (name, status) in new (string, PrescriptionStatus)[]
            {
                ("invalid", PrescriptionStatus.Invalid), ("valid", PrescriptionStatus.VerifiedOnReceipt),
                ("invalid-later", PrescriptionStatus.VerifiedOnReceipt), ("pending-resolved", PrescriptionStatus.PendingRevocationCheck),
            })
            {
                var entry = ProviderStore.Entry($"STATUS-{name}") with { Decision = new ReceiptDecision(status, "Test", "synthetic", []) };
                await writer.AppendAsync(entry, CancellationToken.None);
                ids[name] = entry.ReceiptId;
            }
        }
        await using (var connection = await _store.Database.OpenAsync(CancellationToken.None))
        {
            const string events = """
                INSERT INTO verification_events (receipt_id, occurred_at, status, reason_code, reason, seal, signer_thumbprint)
                VALUES (@ReceiptId, '2026-01-01T00:00:00Z', @Status, 'Test', 'synthetic', @Seal, 'UNSEALED')
                """;
            await connection.ExecuteAsync(events, new[]
            {
                new { ReceiptId = ids["invalid-later"].ToString("D"), Status = "Invalid", Seal = new byte[8] },
                new { ReceiptId = ids["pending-resolved"].ToString("D"), Status = "Invalid", Seal = new byte[8] },
                new { ReceiptId = ids["pending-resolved"].ToString("D"), Status = "VerifiedOnReceipt", Seal = new byte[8] },
            });
        }
        var names = ids.ToDictionary(pair => pair.Value.ToString("D"), pair => pair.Key);
        var search = new PrescriptionSearch(_store.Database, new PharmacyClock(TimeProvider.System, TimeZoneInfo.Utc), new PatientSearchIndex(_store.Database, new PharmacyRx.Core.Receiving.ScriptMessageReader()));

        async Task<string[]> Found(string status) =>
            (await search.SearchAsync(new PrescriptionQuery { Status = status, Descending = false }, CancellationToken.None)).Rows
                .Select(row => names[row.ReceiptId]).ToArray();

        Assert.That(await Found("Invalid"), Is.EqualTo(new[] { "invalid", "invalid-later" }));
        Assert.That(await Found("PendingRevocationCheck"), Is.Empty, "resolved since");
        Assert.That(await Found("VerifiedOnReceipt"), Is.EqualTo(new[] { "valid", "pending-resolved" }));
    }

    [Test]
    public async Task A_second_record_under_the_same_dedupe_key_is_refused_as_a_duplicate_key()
    {
        await using (var writer = _store.Writer())
        {
            await writer.AppendAsync(ProviderStore.Entry("KEYED-1"), CancellationToken.None);
        }
        // What a second instance's insert meets when it looked before the first committed: the unique index decides.
        const string copy = """
            INSERT INTO prescription_archive (receipt_id, received_at, source, dedupe_key, status, reason_code, reason, missing_elements,
              dea_schedule, prescriber_dea_number, prescriber_name, patient_name, drug_description, written_date, as_received,
              as_received_sha256, receipt_signature, signer_thumbprint)
            SELECT 'another-receipt', received_at, source, dedupe_key, status, reason_code, reason, missing_elements, dea_schedule,
              prescriber_dea_number, prescriber_name, patient_name, drug_description, written_date, as_received, as_received_sha256,
              receipt_signature, signer_thumbprint
            FROM prescription_archive
            """;
        await using var connection = await _store.Database.OpenAsync(CancellationToken.None);

        var refusal = Assert.ThrowsAsync(Is.InstanceOf<DbException>(), () => connection.ExecuteAsync(copy));

        Assert.That(_store.Database.Dialect.IsDuplicateKey(refusal!), Is.True, refusal!.Message);
    }
}
