using Dapper;
using Microsoft.Data.Sqlite;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Integrity;

/// <summary>
/// A data folder whose chain was written before the chain key existed upgrades in place: its old events keep their
/// unkeyed links, the keyed part begins with an event that says so, and verify says from which sequence on (1311.215(a)).
/// </summary>
public class KeyedChainUpgradeTests
{
    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task An_unkeyed_chain_upgrades_in_place_and_verify_says_where_the_keyed_part_begins()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        // The database as the release before the keyed chain left it (schema 0030, before 0031_key_the_audit_chain.sql): its
        // schema, and events linked by the public hash alone.
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(pharmacy.Data.Root, "pharmacyrx.db*"))
        {
            File.Delete(file);
        }
        var before = new Database(new SqliteDialect(pharmacy.Data.DatabasePath));
        await new SchemaMigrator(before, TimeProvider.System).MigrateAsync(30, CancellationToken.None);
        // That release's trail: events linked by the public hash alone (no MAC column yet), the rows there were recorded.
        await new AuditLog(before).AppendAsync(
            [new AuditEvent(DateTimeOffset.UtcNow, AuditEventTypes.ArchiveVerified, "pharmacist", AuditOutcome.Success, "archive", "before the upgrade")],
            CancellationToken.None);
        SqliteConnection.ClearAllPools();
        long unkeyed;
        await using (var connection = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False"))
        {
            unkeyed = await connection.ExecuteScalarAsync<long>("SELECT MAX(sequence) FROM audit_events");
        }

        var ingest = await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "UPGRADE-1" });
        Assert.That(ingest.ExitCode, Is.Zero, ingest.Output + ingest.Error);
        var verify = await pharmacy.RunAsync("verify");

        long keyedAt;
        long unkeyedAfter;
        await using (var connection = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False"))
        {
            keyedAt = await connection.ExecuteScalarAsync<long>("SELECT MIN(sequence) FROM audit_events WHERE event_type = 'ChainKeyed'");
            unkeyedAfter = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_events WHERE mac IS NULL AND sequence > @KeyedAt", new { KeyedAt = keyedAt });
        }
        Assert.Multiple(() =>
        {
            Assert.That(unkeyed, Is.GreaterThan(0), "the old chain holds events");
            Assert.That(keyedAt, Is.GreaterThan(unkeyed), "the keyed part begins after the old events");
            Assert.That(unkeyedAfter, Is.Zero, "every event after it is keyed");
            Assert.That(verify.ExitCode, Is.Zero, verify.Output + verify.Error);
            Assert.That(verify.Output, Does.Contain($"events from sequence {keyedAt} on are keyed"));
        });
    }
}
