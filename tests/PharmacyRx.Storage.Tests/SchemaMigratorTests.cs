using Dapper;

namespace PharmacyRx.Storage.Tests;

public class SchemaMigratorTests
{
    [Test]
    public async Task Applies_every_script_once_in_order_and_records_it()
    {
        using var store = new SqliteStore();
        var migrator = new SchemaMigrator(store.Database, TimeProvider.System);

        var appliedAgain = await migrator.MigrateAsync(CancellationToken.None);
        await using var connection = await store.Database.OpenAsync(CancellationToken.None);
        var recorded = (await connection.QueryAsync<string>("SELECT name FROM schema_migrations ORDER BY version")).ToArray();

        Assert.That(appliedAgain, Is.Zero);
        Assert.That(recorded, Is.EqualTo(migrator.Scripts().Select(s => s.Name)));
        Assert.That(recorded, Does.Contain("0001_create_archive").And.Contain("0002_create_audit"));
    }

    [Test]
    public async Task Opens_the_database_in_WAL_mode_with_full_synchronous_commits()
    {
        using var store = new SqliteStore();
        await using var connection = await store.Database.OpenAsync(CancellationToken.None);

        Assert.That(await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"), Is.EqualTo("wal"));
        Assert.That(await connection.ExecuteScalarAsync<long>("PRAGMA synchronous"), Is.EqualTo(2), "2 = FULL");
    }
}
