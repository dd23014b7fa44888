using Dapper;
using Microsoft.Data.Sqlite;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Tests.Archive;

public class AppendOnlyTests
{
    [TestCase("UPDATE prescription_archive SET patient_name = 'Someone Else'", "prescription_archive is append-only")]
    [TestCase("DELETE FROM prescription_archive", "prescription_archive is append-only")]
    [TestCase("UPDATE audit_events SET outcome = 'Success'", "audit_events is append-only")]
    [TestCase("DELETE FROM audit_events", "audit_events is append-only")]
    [Property("Rule", "1311.205(b)(16)")]
    [Property("Rule", "1311.205(b)(18)")]
    public async Task The_database_refuses_to_change_or_remove_archived_and_audit_rows(string sql, string refusal)
    {
        using var store = new SqliteStore();
        await using (var writer = store.Writer())
        {
            await writer.AppendAsync(SqliteStore.Entry("APPEND-1"), CancellationToken.None);
        }
        await using var connection = await store.Database.OpenAsync(CancellationToken.None);

        var error = Assert.ThrowsAsync<SqliteException>(() => connection.ExecuteAsync(sql));

        Assert.That(error!.Message, Does.Contain(refusal));
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM prescription_archive"), Is.EqualTo(1));
        // One receipt event; the rows it wrote are recorded beside it (RowsCovered).
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_events WHERE event_type <> 'RowsCovered'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Audit_appends_link_each_event_to_the_one_before()
    {
        using var store = new SqliteStore();
        var log = new AuditLog(store.Database);
        var at = DateTimeOffset.UtcNow;
        await log.AppendAsync([new AuditEvent(at, "A", "x", AuditOutcome.Success, "t", ""), new AuditEvent(at, "B", "x", AuditOutcome.Failure, "t", "")], CancellationToken.None);
        await log.AppendAsync([new AuditEvent(at, "C", "x", AuditOutcome.Success, "t", "")], CancellationToken.None);

        var events = await log.ReadAllAsync(CancellationToken.None).ToListAsync();

        Assert.That(events.Select(e => e.Event.Type).Where(t => t != AuditEventTypes.RowsCovered), Is.EqualTo(new[] { "A", "B", "C" }));
        Assert.That(events[^1].PreviousHash, Is.EqualTo(events[^2].Hash));
        Assert.That(AuditChain.FindBreaks(events), Is.Empty);
    }

    [Test]
    [Property("Rule", "1311.205(b)(14)")]
    public async Task Each_audit_event_keeps_its_time_type_actor_and_outcome()
    {
        using var store = new SqliteStore();
        var log = new AuditLog(store.Database);
        var at = new DateTimeOffset(2026, 11, 30, 14, 5, 6, 789, TimeSpan.Zero);
        await log.AppendAsync([new AuditEvent(at, AuditEventTypes.UnauthorizedAccessAttempt, "tech1", AuditOutcome.Failure, "POST /api/users", "lacks ManageAccess")],
            CancellationToken.None);

        var stored = (await log.ReadAllAsync(CancellationToken.None).ToListAsync()).Single(e => e.Event.Type != AuditEventTypes.RowsCovered).Event;

        Assert.That((stored.OccurredAt, stored.Type, stored.Actor, stored.Outcome),
            Is.EqualTo((at, AuditEventTypes.UnauthorizedAccessAttempt, "tech1", AuditOutcome.Failure)));
    }
}
