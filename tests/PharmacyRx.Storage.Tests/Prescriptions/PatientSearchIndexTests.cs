using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
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
        var database = new Database(new SqliteDialect(folder.File("upgrade.db")), TestChainKeys.Ring());
        var migrator = new SchemaMigrator(database, TimeProvider.System);
        // The schema as the release before 0081_add_received_at_to_patient_name_words.sql left it, with words indexed then.
        await migrator.MigrateAsync(80, CancellationToken.None);
        await using (var writer = new ArchiveWriter(database, new ArchiveWriterOptions(), NullLogger<ArchiveWriter>.Instance))
        {
            await writer.AppendAsync(SqliteStore.Entry("UPGRADE-1") with { Decision = Providers.ProviderStore.Verified }, CancellationToken.None);
            await writer.AppendAsync(SqliteStore.Entry("UPGRADE-2") with { Decision = Providers.ProviderStore.Verified }, CancellationToken.None);
        }
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("""
                INSERT INTO patient_search (prescription_number, birth_date) SELECT prescription_number, '' FROM prescriptions;
                INSERT INTO patient_name_words (word, prescription_number) SELECT 'testpatient', prescription_number FROM prescriptions;
                INSERT INTO patient_name_words (word, prescription_number) SELECT 'alex', prescription_number FROM prescriptions;
                """);
        }

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
}
