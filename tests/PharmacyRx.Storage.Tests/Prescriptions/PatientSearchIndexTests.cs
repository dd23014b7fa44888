using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Prescriptions;
using PharmacyRx.Testing;

namespace PharmacyRx.Storage.Tests.Prescriptions;

public class PatientSearchIndexTests
{
    [Test]
    public async Task The_name_words_of_an_upgraded_database_get_their_prescriptions_moment_of_receipt()
    {
        using var folder = new TempFolder();
        // The schema as the release before 0081_add_received_at_to_patient_name_words.sql left it, with words indexed then.
        var (database, migrator) = await IndexedBeforeAsync(folder, 80, """
            INSERT INTO patient_search (prescription_number, birth_date) SELECT prescription_number, '' FROM prescriptions;
            INSERT INTO patient_name_words (word, prescription_number) SELECT 'testpatient', prescription_number FROM prescriptions;
            INSERT INTO patient_name_words (word, prescription_number) SELECT 'alex', prescription_number FROM prescriptions;
            """);

        var applied = await migrator.MigrateAsync(CancellationToken.None);

        await using var after = await database.OpenAsync(CancellationToken.None);
        var words = (await after.QueryAsync<(string Word, string ReceivedAt, string Expected)>("""
            SELECT w.word, w.received_at, p.received_at FROM patient_name_words w JOIN prescriptions p ON p.prescription_number = w.prescription_number
            """)).ToArray();
        Assert.That(applied, Is.GreaterThanOrEqualTo(1));
        Assert.That(words, Has.Length.EqualTo(4));
        Assert.That(words, Has.All.Matches<(string Word, string ReceivedAt, string Expected)>(w => w.ReceivedAt.Length > 0 && w.ReceivedAt == w.Expected));
    }

    [Test]
    public async Task A_word_an_older_release_writes_after_the_upgrade_gets_its_moment_of_receipt_at_the_next_catch_up()
    {
        // During a rolling upgrade, or after a rollback, a release before 0081 still writes words without received_at: by
        // the default '' a name-only search would put those prescriptions last, newest first.
        using var store = new SqliteStore();
        await using (var writer = store.Writer())
        {
            await writer.AppendAsync(SqliteStore.Entry("OLDER-1") with { Decision = Providers.ProviderStore.Verified }, CancellationToken.None);
        }
        await using (var older = await store.Database.OpenAsync(CancellationToken.None))
        {
            await older.ExecuteAsync("""
                INSERT INTO patient_search (prescription_number, birth_date) SELECT prescription_number, '' FROM prescriptions;
                INSERT INTO patient_name_words (word, prescription_number) SELECT 'testpatient', prescription_number FROM prescriptions;
                """);
        }

        await new PatientSearchIndex(store.Database, new ScriptMessageReader()).CatchUpAsync(CancellationToken.None);

        await using var after = await store.Database.OpenAsync(CancellationToken.None);
        var word = await after.QuerySingleAsync<(string ReceivedAt, string Expected)>("""
            SELECT w.received_at, p.received_at FROM patient_name_words w JOIN prescriptions p ON p.prescription_number = w.prescription_number
            """);
        Assert.That(word.ReceivedAt, Is.Not.Empty.And.EqualTo(word.Expected));
    }

    [Test]
    public async Task An_upgraded_database_finds_a_patient_by_several_name_words_through_the_full_text_index_it_fills()
    {
        using var folder = new TempFolder();
        // The schema as the release before 0093_create_patient_name_fts.sql left it, with words indexed then.
        var (database, migrator) = await IndexedBeforeAsync(folder, 92, """
            INSERT INTO patient_search (prescription_number, birth_date) SELECT prescription_number, '' FROM prescriptions;
            INSERT INTO patient_name_words (word, prescription_number, received_at) SELECT 'testpatient', prescription_number, received_at FROM prescriptions;
            INSERT INTO patient_name_words (word, prescription_number, received_at) SELECT 'alex', prescription_number, received_at FROM prescriptions;
            """);

        await migrator.MigrateAsync(CancellationToken.None);

        var search = Search(database);
        var found = await search.SearchAsync(new PrescriptionQuery { Patient = "ale TEST" }, CancellationToken.None);
        var nobody = await search.SearchAsync(new PrescriptionQuery { Patient = "ale zzz" }, CancellationToken.None);
        Assert.That(found.Rows, Has.Count.EqualTo(2));
        Assert.That(nobody.Rows, Is.Empty);
        await using var after = await database.OpenAsync(CancellationToken.None);
        Assert.That(await after.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM patient_name_fts"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_prescription_an_older_release_indexes_after_the_upgrade_is_found_by_several_name_words_at_the_next_catch_up()
    {
        using var store = new SqliteStore();
        var search = Search(store.Database);
        await using (var writer = store.Writer())
        {
            await writer.AppendAsync(SqliteStore.Entry("NEWER-1") with { Decision = Providers.ProviderStore.Verified }, CancellationToken.None);
        }
        Assert.That((await search.SearchAsync(new PrescriptionQuery { Patient = "alex testpatient" }, CancellationToken.None)).Rows, Has.Count.EqualTo(1));
        await using (var writer = store.Writer())
        {
            await writer.AppendAsync(SqliteStore.Entry("OLDER-2") with { Decision = Providers.ProviderStore.Verified }, CancellationToken.None);
        }
        // The release before 0093 indexes the new prescription into patient_search and the words, not the full-text index.
        await using (var older = await store.Database.OpenAsync(CancellationToken.None))
        {
            await older.ExecuteAsync("""
                INSERT INTO patient_search (prescription_number, birth_date) SELECT MAX(prescription_number), '' FROM prescriptions;
                INSERT INTO patient_name_words (word, prescription_number, received_at) SELECT 'testpatient', MAX(prescription_number), '2026-01-01T00:00:00.0000000Z' FROM prescriptions;
                INSERT INTO patient_name_words (word, prescription_number, received_at) SELECT 'alex', MAX(prescription_number), '2026-01-01T00:00:00.0000000Z' FROM prescriptions;
                """);
        }

        // And a prescription this release has yet to index: the name index catches up on the older one first, under the
        // same write lock, so the new batch never passes it by.
        await using (var writer = store.Writer())
        {
            await writer.AppendAsync(SqliteStore.Entry("NEWER-3") with { Decision = Providers.ProviderStore.Verified }, CancellationToken.None);
        }

        await new PatientSearchIndex(store.Database, new ScriptMessageReader()).CatchUpAsync(CancellationToken.None);
        var found = await search.SearchAsync(new PrescriptionQuery { Patient = "tes al" }, CancellationToken.None);

        Assert.That(found.Rows, Has.Count.EqualTo(3));
        await using var after = await store.Database.OpenAsync(CancellationToken.None);
        Assert.That(await after.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM patient_name_fts"), Is.EqualTo(3));
    }

    // Two prescriptions archived on the schema up to the given script, then indexed as the release of that schema did.
    private static async Task<(Database Database, SchemaMigrator Migrator)> IndexedBeforeAsync(TempFolder folder, int schema, string indexed)
    {
        var database = new Database(new SqliteDialect(folder.File("upgrade.db")), TestChainKeys.Ring());
        var migrator = new SchemaMigrator(database, TimeProvider.System);
        await migrator.MigrateAsync(schema, CancellationToken.None);
        await using (var writer = new ArchiveWriter(database, new ArchiveWriterOptions(), NullLogger<ArchiveWriter>.Instance))
        {
            await writer.AppendAsync(SqliteStore.Entry("UPGRADE-1") with { Decision = Providers.ProviderStore.Verified }, CancellationToken.None);
            await writer.AppendAsync(SqliteStore.Entry("UPGRADE-2") with { Decision = Providers.ProviderStore.Verified }, CancellationToken.None);
        }
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(indexed);
        return (database, migrator);
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_newest_first_page_by_several_name_words_is_the_page_of_every_match_when_numbers_and_receipt_disagree(bool lowestArrivedLast)
    {
        // More matches than the page is looked for among (PrescriptionSearch.NewestCandidates); with lowestArrivedLast the
        // lowest-numbered of them arrived last (a prescription archived before others that arrived earlier), so the newest
        // page is not among the highest-numbered matches and must come from all of them.
        using var store = new SqliteStore();
        var start = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var count = PrescriptionSearch.NewestCandidates + 88;
        await using (var writer = store.Writer())
        {
            for (var i = 0; i < count; i++)
            {
                var receivedAt = lowestArrivedLast && i == 0 ? start.AddDays(30) : start.AddMinutes(i);
                await writer.AppendAsync(SqliteStore.Entry($"MANY-{i:D4}") with { Decision = Providers.ProviderStore.Verified, ReceivedAt = receivedAt },
                    CancellationToken.None);
            }
        }
        var search = Search(store.Database);

        var first = await search.SearchAsync(new PrescriptionQuery { Patient = "ale tes", PageSize = 50 }, CancellationToken.None);
        var second = await search.SearchAsync(new PrescriptionQuery { Patient = "ale tes", PageSize = 50, Page = 2 }, CancellationToken.None);

        await using var connection = await store.Database.OpenAsync(CancellationToken.None);
        var expected = (await connection.QueryAsync<long>(
            "SELECT prescription_number FROM prescriptions ORDER BY received_at DESC, prescription_number DESC LIMIT 100")).ToArray();
        Assert.That(first.Rows.Concat(second.Rows).Select(r => r.PrescriptionNumber), Is.EqualTo(expected));
        Assert.That((first.HasMore, second.HasMore), Is.EqualTo((true, true)));
        Assert.That(first.Rows[0].PrescriptionNumber, Is.EqualTo(lowestArrivedLast ? expected.Min() : expected.Max()));
    }

    [Test]
    public async Task A_newest_first_page_by_several_name_words_past_the_last_match_is_empty()
    {
        using var store = new SqliteStore();
        await using (var writer = store.Writer())
        {
            await writer.AppendAsync(SqliteStore.Entry("FEW-1") with { Decision = Providers.ProviderStore.Verified }, CancellationToken.None);
            await writer.AppendAsync(SqliteStore.Entry("FEW-2") with { Decision = Providers.ProviderStore.Verified }, CancellationToken.None);
        }
        var search = Search(store.Database);

        var first = await search.SearchAsync(new PrescriptionQuery { Patient = "ale tes", PageSize = 1 }, CancellationToken.None);
        var past = await search.SearchAsync(new PrescriptionQuery { Patient = "ale tes", PageSize = 50, Page = 2 }, CancellationToken.None);

        Assert.That((first.Rows.Count, first.HasMore), Is.EqualTo((1, true)));
        Assert.That((past.Rows.Count, past.HasMore), Is.EqualTo((0, false)));
    }

    private static PrescriptionSearch Search(Database database) =>
        new(database, new PharmacyClock(TimeProvider.System, TimeZoneInfo.Utc), new PatientSearchIndex(database, new ScriptMessageReader()));
}
