using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Export;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Dispensing;
using PharmacyRx.Storage.Export;
using PharmacyRx.Storage.Prescriptions;
using PharmacyRx.Testing;

namespace PharmacyRx.Storage.Tests.Providers;

// The pharmacist's work, the audit trail, derived rows, search and the inspector's export (1311.205(b)(10)-(12), (b)(16)).
public partial class StorageSuiteTests
{
    [Test]
    public async Task A_fill_is_recorded_and_once_the_prescription_is_voided_the_next_is_refused_and_audited()
    {
        var entry = ProviderStore.Entry("WORK-1") with { Decision = ProviderStore.Verified };
        await using (var writer = _store.Writer())
        {
            await writer.AppendAsync(entry, default);
        }
        var work = _store.Work();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        var filled = await work.DispenseAsync(entry.ReceiptId, new DispensingRules.Request(5, today, " SP "), "pharm", default);
        var noReason = await work.AnnotateAsync(entry.ReceiptId, AnnotationType.Void, new Dictionary<string, string>(), "pharm", default);
        var voided = await work.AnnotateAsync(entry.ReceiptId, AnnotationType.Void, new Dictionary<string, string> { ["reason"] = "sent twice" }, "pharm", default);
        var refused = await work.DispenseAsync(entry.ReceiptId, new DispensingRules.Request(5, today, "SP"), "pharm", default);
        var unknown = await work.DispenseAsync(Guid.CreateVersion7(), new DispensingRules.Request(5, today, "SP"), "pharm", default);

        Assert.That((filled.Appended, filled.RefillNumber), Is.EqualTo((true, 0)));
        Assert.That((noReason.Code, voided.Appended, refused.Code, unknown.Code), Is.EqualTo(("InvalidAnnotation", true, "Voided", PharmacyWorkStore.NotFound)));
        var fills = await work.DispensingsAsync(entry.ReceiptId, default);
        Assert.That(fills.Select(f => $"{f.Quantity} {f.QuantityUnit} {f.DateDispensed} {f.Dispenser} {f.RefillNumber} {f.RecordedBy}"),
            Is.EqualTo(new[] { $"5 C48542 {today:yyyy-MM-dd} SP 0 pharm" }));
        var notes = await work.AnnotationsAsync(entry.ReceiptId, default);
        Assert.That(notes.Select(n => (n.Id, n.Type, n.Fields["reason"], n.CreatedBy)), Is.EqualTo(new[] { (voided.Id!.Value, "Void", "sent twice", "pharm") }));
        Assert.That(await work.IsDispensableAsync(entry.ReceiptId, default), Is.False);
        var audit = await new AuditLog(_store.Database).ReadAllAsync(default).Where(e => e.Event.Actor != CoverageActor && e.Event.Type != AuditEventTypes.ChainKeyed).Select(e => $"{e.Event.Type} {e.Event.Outcome}").ToListAsync();
        Assert.That(audit, Is.EqualTo(new[] { "PrescriptionReceived Success", "PrescriptionDispensed Success", "AnnotationAdded Success", "DispensingRefused Failure" }));
    }

    [Test]
    public async Task Audit_events_read_back_as_written_in_one_chain_without_a_break()
    {
        var log = new AuditLog(_store.Database);
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
        AuditEvent[] written =
        [
            new(at, "SuiteFirst", "alice", AuditOutcome.Success, "target-1", "details"),
            new(at.AddSeconds(1), "SuiteSecond", "bob", AuditOutcome.Failure, "target-2", "détails, \"quoted\"; ünïcode"),
        ];

        await log.AppendAsync(written[..1], default);
        await log.AppendAsync(written[1..], default);
        var all = await log.ReadAllAsync(default).ToListAsync();

        Assert.That(all.Where(e => e.Event.Actor != CoverageActor && e.Event.Type != AuditEventTypes.ChainKeyed).Select(e => e.Event), Is.EqualTo(written));
        Assert.That(all.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, all.Count).Select(i => (long)i)));
        Assert.That(AuditChain.FindBreaks(all), Is.Empty);
        Assert.That(await log.HeadAsync(default), Is.EqualTo((all[^1].Sequence, all[^1].Hash)));
        Assert.That((await log.LatestAsync(default))?.Event, Is.EqualTo(written[1]));
        Assert.That((await log.FirstAsync("SuiteSecond", default))?.Sequence, Is.EqualTo(all.Single(e => e.Event.Type == "SuiteSecond").Sequence));
    }

    [Test]
    public async Task An_audit_target_longer_than_an_index_key_is_kept_as_its_beginning_and_hash_and_the_chain_holds()
    {
        var log = new AuditLog(_store.Database);
        var address = "http://crl.example/" + new string('a', 1_981);

        await log.AppendAsync([new(DateTimeOffset.UtcNow, "SuiteLongTarget", "system:crl", AuditOutcome.Failure, address, "fetch failed")], default);
        var all = await log.ReadAllAsync(default).ToListAsync();

        var stored = all.Single(e => e.Event.Type == "SuiteLongTarget").Event.Target;
        Assert.That(stored, Has.Length.EqualTo(AuditEvent.MaxTargetLength));
        Assert.That(stored, Does.StartWith(address[..700]).And.EndWith("…sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(address)))));
        Assert.That(AuditChain.FindBreaks(all), Is.Empty);
    }

    [Test]
    public async Task The_backfill_gives_an_older_record_its_prescription_row_once_and_details_follow_every_number()
    {
        var entry = ProviderStore.Entry("BACKFILL-1");
        await using (var writer = _store.Writer())
        {
            await writer.AppendAsync(entry, default);
        }
        // A record archived by a version before the prescriptions table: the same message under another receipt.
        var older = Guid.CreateVersion7();
        await using (var connection = await _store.IntruderAsync())
        {
            const string copy = """
                INSERT INTO prescription_archive (receipt_id, received_at, source, dedupe_key, message_id, transaction_kind, status, reason_code, reason,
                  missing_elements, dea_schedule, prescriber_dea_number, prescriber_name, patient_name, drug_description, written_date,
                  as_received, as_received_sha256, receipt_signature, signer_thumbprint)
                SELECT @Older, received_at, source, 'older', 'OLDER-1', transaction_kind, status, reason_code, reason,
                  missing_elements, dea_schedule, prescriber_dea_number, prescriber_name, patient_name, drug_description, written_date,
                  as_received, as_received_sha256, receipt_signature, signer_thumbprint
                FROM prescription_archive
                """;
            await connection.ExecuteAsync(copy, new { Older = older.ToString("D") });
        }
        var backfill = new PrescriptionBackfill(_store.Database, new ScriptMessageReader(), TimeProvider.System);
        var details = new PrescriptionDetails(_store.Database, new ScriptMessageReader());

        var (added, addedAgain) = (await backfill.RunAsync(default), await backfill.RunAsync(default));
        var (derived, derivedAgain) = (await details.CatchUpAsync(default), await details.CatchUpAsync(default));

        Assert.That((added, addedAgain, derived, derivedAgain), Is.EqualTo((1, 0, 2L, 0L)));
        await using var read = await _store.Database.OpenAsync(default);
        var rows = (await read.QueryAsync<(string ReceiptId, string PatientKey, string DrugKey, string Quantity, string MessageId, string Fields)>("""
            SELECT p.receipt_id, p.patient_key, p.drug_key, p.quantity, d.message_id, d.fields
            FROM prescriptions p JOIN prescription_details d ON d.prescription_number = p.prescription_number ORDER BY p.prescription_number
            """)).ToArray();
        Assert.That(rows.Select(r => (r.ReceiptId, r.PatientKey, r.DrugKey, r.Quantity, r.MessageId)), Is.EqualTo(new[]
        {
            (entry.ReceiptId.ToString("D"), "testpatient, alex", "oxycodone hydrochloride 5 mg oral tablet", "20", "BACKFILL-1"),
            (older.ToString("D"), "testpatient, alex", "oxycodone hydrochloride 5 mg oral tablet", "20", "OLDER-1"),
        }));
        Assert.That(rows[1].Fields.Split((char)ExportRecord.Separator)[2..4], Is.EqualTo(new[] { "Testpatient, Alex", "100 Example Street, Springfield, IL 62701" }));
    }

    [Test]
    public async Task The_rows_the_backfill_adds_are_recorded_in_the_chain_and_only_the_record_written_outside_is_named()
    {
        await using (var writer = _store.Writer())
        {
            await writer.AppendAsync(ProviderStore.Entry("BACKFILL-2"), default);
        }
        var older = Guid.CreateVersion7();
        await using (var connection = await _store.IntruderAsync())
        {
            // A record from a version before the prescriptions table, as its archive row alone (the chain never held it).
            await connection.ExecuteAsync("""
                INSERT INTO prescription_archive (receipt_id, received_at, source, dedupe_key, message_id, transaction_kind, status, reason_code, reason,
                  missing_elements, dea_schedule, prescriber_dea_number, prescriber_name, patient_name, drug_description, written_date,
                  as_received, as_received_sha256, receipt_signature, signer_thumbprint)
                SELECT @Older, received_at, source, 'older-2', 'OLDER-2', transaction_kind, status, reason_code, reason,
                  missing_elements, dea_schedule, prescriber_dea_number, prescriber_name, patient_name, drug_description, written_date,
                  as_received, as_received_sha256, receipt_signature, signer_thumbprint
                FROM prescription_archive
                """, new { Older = older.ToString("D") });
        }

        var added = await new PrescriptionBackfill(_store.Database, new ScriptMessageReader(), TimeProvider.System).RunAsync(default);

        Assert.That(added, Is.EqualTo(1));
        Assert.That(await VerifyAsync(), Is.EqualTo(new[] { $"table prescription_archive row {older:D} is not in the audit chain: it was added or changed outside the service" }));
    }

    [Test]
    public async Task Search_finds_names_by_prefix_whatever_their_case_and_accents_and_reads_a_refill_history()
    {
        var (a, b, c) = await ThreePrescriptionsWithFillsAsync();
        var search = new PrescriptionSearch(_store.Database, new PharmacyClock(TimeProvider.System, TimeZoneInfo.Utc), new PatientSearchIndex(_store.Database, new PharmacyRx.Core.Receiving.ScriptMessageReader()));

        async Task<string[]> Found(PrescriptionQuery query) =>
            (await search.SearchAsync(query with { Descending = false }, default)).Rows.Select(r => r.PatientName).ToArray();

        Assert.That(await Found(new PrescriptionQuery { Patient = "ZÍM" }), Is.EqualTo(new[] { "Zímmer, Alex" }));
        Assert.That(await Found(new PrescriptionQuery { Prescriber = "adams", Sort = PrescriptionSort.Patient }), Is.EqualTo(new[] { "Xavier, Alex", "Zímmer, Alex" }));
        Assert.That(await Found(new PrescriptionQuery { Drug = "oxy", DispensedFrom = new DateOnly(2026, 1, 4) }), Is.EqualTo(new[] { "Young, Alex" }));
        Assert.That(await Found(new PrescriptionQuery { DispensedTo = new DateOnly(2026, 1, 3), Sort = PrescriptionSort.Drug }), Is.EqualTo(new[] { "Xavier, Alex", "Young, Alex" }));
        var number = await search.NumberAsync(a, default);
        var history = await search.RefillHistoryAsync(number!.Value, default);
        Assert.That(history?.Fills.Select(f => $"{f.DateDispensed} {f.RefillNumber}"), Is.EqualTo(new[] { "2026-01-05 0", "2026-01-02 1" }));
        Assert.That((history?.RefillsSoFar, history?.DosageForm), Is.EqualTo((1, "C42998")));
        Assert.That((await search.NumberAsync(b, default), await search.NumberAsync(c, default)), Is.EqualTo((number + 1, number + 2)));
    }

    [Test]
    public async Task A_patient_name_alone_pages_newest_first_and_its_words_match_in_any_order()
    {
        foreach (var (last, first) in new[] { ("Rivera", "Ana"), ("Riverside", "Anabel"), ("Rivera", "Bo"), ("Stone", "Ana") })
        {
            await using var writer = _store.Writer();
            await writer.AppendAsync(UnsealedEntry.From(new SyntheticNewRx { MessageId = $"NAME-{last}-{first}", PatientLastName = last, PatientFirstName = first }.ToBytes())
                with { Decision = ProviderStore.Verified }, default);
        }
        var search = new PrescriptionSearch(_store.Database, new PharmacyClock(TimeProvider.System, TimeZoneInfo.Utc), new PatientSearchIndex(_store.Database, new ScriptMessageReader()));

        async Task<(string[] Names, bool HasMore)> Found(PrescriptionQuery query)
        {
            var page = await search.SearchAsync(query, default);
            return ([.. page.Rows.Select(r => r.PatientName)], page.HasMore);
        }

        Assert.That(await Found(new PrescriptionQuery { Patient = "riv", PageSize = 2 }), Is.EqualTo((new[] { "Rivera, Bo", "Riverside, Anabel" }, true)));
        Assert.That(await Found(new PrescriptionQuery { Patient = "riv", PageSize = 2, Page = 2 }), Is.EqualTo((new[] { "Rivera, Ana" }, false)));
        Assert.That(await Found(new PrescriptionQuery { Patient = "ANA riv" }), Is.EqualTo((new[] { "Riverside, Anabel", "Rivera, Ana" }, false)));
        Assert.That(await Found(new PrescriptionQuery { Patient = "rivera ana", Descending = false }), Is.EqualTo((new[] { "Rivera, Ana" }, false)));
        Assert.That(await Found(new PrescriptionQuery { Patient = "ana", Sort = PrescriptionSort.Patient, Descending = false }),
            Is.EqualTo((new[] { "Rivera, Ana", "Riverside, Anabel", "Stone, Ana" }, false)));
        await using var connection = await _store.Database.OpenAsync(default);
        Assert.That(await connection.ExecuteScalarAsync<long>("""
            SELECT COUNT(*) FROM patient_name_words w JOIN prescriptions p ON p.prescription_number = w.prescription_number
            WHERE w.received_at = p.received_at
            """), Is.EqualTo(8), "every word carries its prescription's moment of receipt");
    }

    [TestCase(ExportSort.Prescriber, new[] { "Morphine 2026-01-03 Active", "Codeine - Voided", "Oxycodone 2026-01-02 Active", "Oxycodone 2026-01-05 Active" })]
    [TestCase(ExportSort.Patient, new[] { "Morphine 2026-01-03 Active", "Oxycodone 2026-01-02 Active", "Oxycodone 2026-01-05 Active", "Codeine - Voided" })]
    [TestCase(ExportSort.Drug, new[] { "Codeine - Voided", "Morphine 2026-01-03 Active", "Oxycodone 2026-01-02 Active", "Oxycodone 2026-01-05 Active" })]
    [TestCase(ExportSort.DateFilled, new[] { "Oxycodone 2026-01-02 Active", "Morphine 2026-01-03 Active", "Oxycodone 2026-01-05 Active", "Codeine - Voided" })]
    public async Task An_export_holds_every_fill_and_each_prescription_never_filled_in_the_order_asked_for(ExportSort sort, string[] expected)
    {
        await ThreePrescriptionsWithFillsAsync();
        await new PrescriptionDetails(_store.Database, new ScriptMessageReader()).CatchUpAsync(default);
        using var folder = new TempFolder();
        using var first = new ExportSorter(folder.Path);
        using var second = new ExportSorter(folder.Path);

        // Two sorters: the prescriptions are read in two ranges, on two connections, as of one moment.
        var count = await new ExportQuery(_store.Database, new PharmacyClock(TimeProvider.System, TimeZoneInfo.Utc)).ReadAsync(new ExportFilter(), sort, [first, second], default);
        var csv = new MemoryStream();
        using (var writer = new CsvExportWriter(csv))
        {
            ExportSorter.WriteTo([first, second], writer);
        }

        var rows = ExportFiles.ReadCsv(csv.ToArray());
        var column = ExportColumns.All.Select(c => c.Header).ToList();
        Assert.That(count, Is.EqualTo(expected.Length));
        Assert.That(rows.Skip(1).Select(r => $"{r[column.IndexOf("Drug name")]!.Split(' ')[0]} {r[column.IndexOf("Date filled")] ?? "-"} {r[column.IndexOf("Status")]}"),
            Is.EqualTo(expected));
    }

    [Test]
    public async Task Every_exported_row_has_its_standing_whether_or_not_anything_was_recorded_on_the_prescription_but_fills()
    {
        await ThreePrescriptionsWithFillsAsync();
        await using (var writer = _store.Writer())
        {
            await writer.AppendAsync(UnsealedEntry.From(new SyntheticNewRx { MessageId = "EXPORT-NEVER", DrugDescription = "Hydrocodone 5 MG Oral Tablet" }.ToBytes())
                with { Decision = ProviderStore.Verified }, default);
        }
        await new PrescriptionDetails(_store.Database, new ScriptMessageReader()).CatchUpAsync(default);
        using var folder = new TempFolder();
        using var sorter = new ExportSorter(folder.Path);

        await new ExportQuery(_store.Database, new PharmacyClock(TimeProvider.System, TimeZoneInfo.Utc)).ReadAsync(new ExportFilter(), ExportSort.DateFilled, [sorter], default);
        var csv = new MemoryStream();
        using (var writer = new CsvExportWriter(csv))
        {
            ExportSorter.WriteTo([sorter], writer);
        }

        // 20 prescribed, no refills: the Oxycodone (10 + 10) and the Morphine (20) are fully dispensed with nothing else recorded.
        var rows = ExportFiles.ReadCsv(csv.ToArray());
        var column = ExportColumns.All.Select(c => c.Header).ToList();
        Assert.That(rows.Skip(1).Select(r => $"{r[column.IndexOf("Drug name")]!.Split(' ')[0]}: {r[column.IndexOf("Standing")]}"), Is.EqualTo(new[]
        {
            "Oxycodone: Fully dispensed", "Morphine: Fully dispensed", "Oxycodone: Fully dispensed", "Codeine: Voided", "Hydrocodone: VerifiedOnReceipt",
        }));
    }

    [Test]
    public async Task An_applied_script_edited_afterwards_stops_the_migration()
    {
        await using (var connection = await _store.IntruderAsync())
        {
            await connection.ExecuteAsync("UPDATE schema_migrations SET sha256 = 'edited' WHERE version = 1");
        }

        var refusal = Assert.ThrowsAsync<InvalidOperationException>(() => new SchemaMigrator(_store.Database, TimeProvider.System).MigrateAsync(default));

        Assert.That(refusal!.Message, Is.EqualTo("schema script 0001_create_archive changed after it was applied; add a new script instead"));
    }

    /// <summary>
    /// Three prescriptions, written in this order: a) Baker / Young / Oxycodone, filled 2026-01-05 then 2026-01-02;
    /// b) Adams / Zímmer / Codeine, never filled and voided; c) Adams / Xavier / Morphine, filled 2026-01-03.
    /// </summary>
    private async Task<(Guid A, Guid B, Guid C)> ThreePrescriptionsWithFillsAsync()
    {
        var ids = new List<Guid>();
        await using (var writer = _store.Writer())
        {
            foreach (var (prescriber, patient, drug) in new[] { ("Baker", "Young", "Oxycodone 5 MG Oral Tablet"), ("Adams", "Zímmer", "Codeine 30 MG Oral Tablet"),
                ("Adams", "Xavier", "Morphine 15 MG Oral Tablet") })
            {
                var message = new SyntheticNewRx { MessageId = $"EXPORT-{patient}", PrescriberLastName = prescriber, PatientLastName = patient, DrugDescription = drug };
                var entry = UnsealedEntry.From(message.ToBytes()) with { Decision = ProviderStore.Verified };
                await writer.AppendAsync(entry, default);
                ids.Add(entry.ReceiptId);
            }
        }
        await using var connection = await _store.Database.OpenAsync(default);
        const string work = """
            INSERT INTO dispensings (receipt_id, quantity, quantity_unit, date_dispensed, dispenser, refill_number, recorded_at, recorded_by)
            VALUES (@A, '10', 'C48542', '2026-01-05', 'SP', 0, '2026-01-05T00:00:00Z', 'pharm');
            INSERT INTO dispensings (receipt_id, quantity, quantity_unit, date_dispensed, dispenser, refill_number, recorded_at, recorded_by)
            VALUES (@A, '10', 'C48542', '2026-01-02', 'SP', 1, '2026-01-05T00:00:00Z', 'pharm');
            INSERT INTO dispensings (receipt_id, quantity, quantity_unit, date_dispensed, dispenser, refill_number, recorded_at, recorded_by)
            VALUES (@C, '20', 'C48542', '2026-01-03', 'SP', 0, '2026-01-05T00:00:00Z', 'pharm');
            INSERT INTO annotations (receipt_id, annotation_type, fields, created_at, created_by)
            VALUES (@B, 'Void', '{"reason":"sent twice"}', '2026-01-05T00:00:00Z', 'pharm');
            """;
        await connection.ExecuteAsync(work, new { A = ids[0].ToString("D"), B = ids[1].ToString("D"), C = ids[2].ToString("D") });
        return (ids[0], ids[1], ids[2]);
    }
}
