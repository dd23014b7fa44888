using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Testing;

namespace PharmacyRx.Storage.Tests.Archive;

public class ArchiveWriterTests
{
    [Test]
    [Property("Rule", "1311.205(b)(13)")]
    public async Task Groups_concurrent_messages_into_few_commits_and_audits_each_one()
    {
        using var store = new SqliteStore();
        await using var writer = store.Writer();

        var results = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => writer.AppendAsync(SqliteStore.Entry($"GROUP-{i}"), CancellationToken.None)));

        await using var connection = await store.Database.OpenAsync(CancellationToken.None);
        Assert.That(results.Count(r => !r.IsDuplicate), Is.EqualTo(500));
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM prescription_archive"), Is.EqualTo(500));
        Assert.That(writer.CommittedBatches, Is.LessThan(100), "many messages per commit");
        var audit = await new AuditLog(store.Database).ReadAllAsync(CancellationToken.None).ToListAsync();
        Assert.That(audit.Count(e => e.Event.Type == AuditEventTypes.PrescriptionReceived), Is.EqualTo(500));
        Assert.That(AuditChain.FindBreaks(audit), Is.Empty);
    }

    [Test]
    public async Task The_same_MessageID_many_times_at_once_makes_one_record_and_returns_its_outcome_to_all()
    {
        using var store = new SqliteStore();
        await using var writer = store.Writer();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => writer.AppendAsync(SqliteStore.Entry("SAME-1"), CancellationToken.None)));

        await using var connection = await store.Database.OpenAsync(CancellationToken.None);
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM prescription_archive"), Is.EqualTo(1));
        Assert.That(results.Select(r => r.ReceiptId).Distinct().Count(), Is.EqualTo(1));
        Assert.That(results.Count(r => r.IsDuplicate), Is.EqualTo(49));
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_events WHERE event_type = 'DuplicateReceived'"), Is.EqualTo(49));
    }

    [Test]
    public async Task Different_bytes_under_a_seen_MessageID_are_not_written_until_the_caller_re_decides_them_and_then_are()
    {
        using var store = new SqliteStore();
        await using var writer = store.Writer();
        var first = await writer.AppendAsync(SqliteStore.Entry("REUSED-1"), CancellationToken.None);
        var other = UnsealedEntry.From(new SyntheticNewRx { MessageId = "REUSED-1", Quantity = "90" }.ToBytes());

        var refused = await writer.AppendAsync(other, CancellationToken.None);
        await using var connection = await store.Database.OpenAsync(CancellationToken.None);
        var countBefore = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM prescription_archive");
        var written = await writer.AppendAsync(other with { ReusesReceiptId = first.ReceiptId }, CancellationToken.None);

        Assert.That(refused.MessageIdFirstArchivedAs, Is.EqualTo(first.ReceiptId));
        Assert.That(countBefore, Is.EqualTo(1), "nothing written before the caller re-decides");
        Assert.That(written.IsDuplicate, Is.False);
        Assert.That(written.MessageIdFirstArchivedAs, Is.Null);
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM prescription_archive"), Is.EqualTo(2));
    }

    [Test]
    public async Task Two_processes_writing_the_same_file_keep_one_unbroken_audit_chain()
    {
        using var store = new SqliteStore();
        await using var first = store.Writer();
        await using var second = store.Writer(store.OpenAnother());

        await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
            (i % 2 == 0 ? first : second).AppendAsync(SqliteStore.Entry($"TWO-{i}"), CancellationToken.None)));

        var audit = await new AuditLog(store.Database).ReadAllAsync(CancellationToken.None).ToListAsync();
        Assert.That(audit.Count(e => e.Event.Type == AuditEventTypes.PrescriptionReceived), Is.EqualTo(300));
        Assert.That(AuditChain.FindBreaks(audit), Is.Empty);
    }

    [Test]
    public async Task A_failing_entry_fails_alone_and_its_batch_neighbours_commit()
    {
        using var store = new SqliteStore();
        await using var writer = store.Writer();
        var bad = SqliteStore.Entry("BAD-1") with { CancelsReceiptId = Guid.NewGuid() }; // a foreign key to nothing

        var tasks = Enumerable.Range(0, 20).Select(i => writer.AppendAsync(SqliteStore.Entry($"GOOD-{i}"), CancellationToken.None))
            .Append(writer.AppendAsync(bad, CancellationToken.None)).ToArray();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // expected for the bad entry; asserted below
        }

        Assert.That(tasks[^1].IsFaulted, Is.True);
        Assert.That(tasks[..^1].All(t => t.IsCompletedSuccessfully), Is.True);
        await using var connection = await store.Database.OpenAsync(CancellationToken.None);
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM prescription_archive"), Is.EqualTo(20));
    }

    [Test]
    public async Task Records_in_the_chain_the_hash_verify_computes_for_every_archive_and_search_row_it_hashed_from_its_values()
    {
        using var store = new SqliteStore();
        await using var writer = store.Writer();
        // The first commit of a data folder reads every row back (the baseline); the ones after it hash what they insert.
        await writer.AppendAsync(SqliteStore.Entry("BASELINE-1"), CancellationToken.None);
        // Quotes in the values: the hash from values must render them as the database's quote() does.
        var entries = Enumerable.Range(0, 40).Select(i => UnsealedEntry.From(new SyntheticNewRx
        {
            MessageId = $"HASHED-{i}",
            PatientLastName = i % 2 == 0 ? "O'Brien" : "Testpatient",
            PrescriberLastName = $"D'Amico{i}",
        }.ToBytes()));

        await Task.WhenAll(entries.Select(entry => writer.AppendAsync(entry, CancellationToken.None)));

        await AssertRecordedHashesAreVerifysAsync(store, 41);
    }

    [Test]
    public async Task Hashes_from_values_match_verify_for_empty_unicode_very_long_and_numeric_looking_text()
    {
        using var store = new SqliteStore();
        await using var writer = store.Writer();
        await writer.AppendAsync(SqliteStore.Entry("BASELINE-1"), CancellationToken.None);
        string[] names = ["Zoë", "Ñandú\u0301", "\U0001F48A\U0001F9EA", "\u05E9\u05DC\u05D5\u05DD", "%s\\n''", "007", "1e5", "NULL", "X'00'"];
        var shapes = names.Select((name, i) => new SyntheticNewRx
        {
            MessageId = $"SHAPE-{i}",
            PatientLastName = name,
            Refills = i % 2 == 0 ? "" : "02",
            Quantity = i % 3 == 0 ? "" : "30.50",
            Directions = i == 0 ? new string('d', 200_000) + "\u00E9" : "Take 1 tablet",
        }).Append(SyntheticNewRx.NotControlled with { MessageId = "SHAPE-NC", DrugDescription = "" });

        foreach (var shape in shapes)
        {
            await writer.AppendAsync(UnsealedEntry.From(shape.ToBytes()), CancellationToken.None);
        }

        await AssertRecordedHashesAreVerifysAsync(store, names.Length + 2);
    }

    private static async Task AssertRecordedHashesAreVerifysAsync(SqliteStore store, int rows)
    {
        var audit = await new AuditLog(store.Database).ReadAllAsync(CancellationToken.None).ToListAsync();
        await using var connection = await store.Database.OpenAsync(CancellationToken.None);
        foreach (var table in new[] { "prescription_archive", "prescriptions" })
        {
            var recorded = audit.Where(e => e.Event.Type == AuditEventTypes.RowsCovered && e.Event.Target == table)
                .SelectMany(e => RowCoverage.Parse(e.Event.Details)).ToDictionary(row => row.Key, row => row.Hash);
            var computed = await CoveredRows.ReadAllAsync(connection, null, CoveredTables.Find(table)!, CancellationToken.None).ToListAsync();
            Assert.That(computed, Has.Count.EqualTo(rows), table);
            Assert.That(computed.Where(row => recorded.GetValueOrDefault(row.Key) != row.Hash).Select(row => row.Key), Is.Empty, table);
        }
    }
}
