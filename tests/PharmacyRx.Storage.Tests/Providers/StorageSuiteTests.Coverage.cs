using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Tests.Providers;

/// <summary>What marks the covered tables' rows, per provider: left alone by a second migration, checked by verify.</summary>
public partial class StorageSuiteTests
{
    private const string TemporaryTriggers =
        "SQLite's coverage triggers are TEMP objects of each of the service's own connections: no other session can alter or disable them";

    [Test]
    public async Task Migrating_again_leaves_the_coverage_triggers_untouched_and_verify_finds_them_intact()
    {
        if (!_store.IsSqlServer)
        {
            Assert.Ignore(TemporaryTriggers);
        }
        var before = await TriggerChangesAsync();

        await new SchemaMigrator(_store.Database, TimeProvider.System).MigrateAsync(default);

        await using var connection = await _store.Database.OpenAsync(default);
        Assert.That(await _store.Database.Dialect.Coverage.TamperedAsync(connection, default), Is.Empty);
        Assert.That(await TriggerChangesAsync(), Is.EqualTo(before), "no trigger altered, so no schema lock on a table other instances use");
    }

    [TestCase("ALTER TRIGGER dbo.coverage_users ON dbo.users AFTER INSERT AS BEGIN SET NOCOUNT ON; END", "is not the one the service wrote")]
    [TestCase("DISABLE TRIGGER dbo.coverage_users ON dbo.users", "is disabled")]
    [TestCase("DROP TRIGGER dbo.coverage_users", "is missing")]
    public async Task A_coverage_trigger_altered_disabled_or_dropped_is_named_by_verify_and_made_again_by_the_next_start(string sql, string finding)
    {
        if (!_store.IsSqlServer)
        {
            Assert.Ignore(TemporaryTriggers);
        }
        await using (var intruder = await _store.IntruderAsync())
        {
            await intruder.ExecuteAsync(sql);
        }
        await using var connection = await _store.Database.OpenAsync(default);

        var found = await _store.Database.Dialect.Coverage.TamperedAsync(connection, default);
        await new SchemaMigrator(_store.Database, TimeProvider.System).MigrateAsync(default);

        Assert.That(found, Is.EqualTo(new[] { $"the coverage trigger dbo.coverage_users {finding}" + (finding == "is not the one the service wrote" ? ": it was altered" : ": rows written to users are not marked for the audit chain") }));
        Assert.That(await _store.Database.Dialect.Coverage.TamperedAsync(connection, default), Is.Empty);
        var repairs = await new AuditLog(_store.Database).ReadAllAsync(default)
            .Where(e => e.Event.Type == AuditEventTypes.CoverageMismatch).Select(e => e.Event.Details).ToListAsync();
        Assert.That(repairs, Has.Count.EqualTo(1).And.Some.StartsWith("the coverage trigger dbo.coverage_users was"), "the repair stays on record");
    }

    [Test]
    public async Task A_write_after_an_export_on_the_same_pooled_connection_runs_at_read_committed()
    {
        if (!_store.IsSqlServer)
        {
            Assert.Ignore("SQLite has one isolation: a write transaction holds the one write lock");
        }
        await using (var export = await _store.Database.OpenAsync(default))
        await using (var snapshot = await _store.Database.Dialect.BeginSnapshotAsync(export, default))
        {
            await export.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM prescription_archive", transaction: snapshot));
        }
        await using var connection = await _store.Database.OpenAsync(default);
        await using var write = await _store.Database.BeginWriteAsync(connection, default);

        var level = await connection.ExecuteScalarAsync<short>(new CommandDefinition(
            "SELECT transaction_isolation_level FROM sys.dm_exec_sessions WHERE session_id = @@SPID", transaction: write));

        Assert.That(level, Is.EqualTo((short)2), "2 is READ COMMITTED; 5 would be the export's SNAPSHOT kept by the pool");
    }

    // Each coverage trigger's last change (SQL Server).
    private async Task<string[]> TriggerChangesAsync()
    {
        await using var connection = await _store.Database.OpenAsync(default);
        return (await connection.QueryAsync<string>("""
            SELECT CONCAT(name, ' ', CONVERT(nvarchar(40), modify_date, 126)) FROM sys.triggers WHERE name LIKE N'coverage[_]%' ORDER BY name
            """)).ToArray();
    }
}
