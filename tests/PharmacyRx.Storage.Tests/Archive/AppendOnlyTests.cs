using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Tests.Archive;

public class AppendOnlyTests
{
    [Test]
    public async Task Audit_appends_link_each_event_to_the_one_before()
    {
        using var store = new SqliteStore();
        var log = new AuditLog(store.Database);
        var at = DateTimeOffset.UtcNow;
        await log.AppendAsync([new AuditEvent(at, "A", "x", AuditOutcome.Success, "t", ""), new AuditEvent(at, "B", "x", AuditOutcome.Failure, "t", "")], CancellationToken.None);
        await log.AppendAsync([new AuditEvent(at, "C", "x", AuditOutcome.Success, "t", "")], CancellationToken.None);

        var events = await log.ReadAllAsync(CancellationToken.None).ToListAsync();

        Assert.That(events.Select(e => e.Event.Type).Where(t => t is not (AuditEventTypes.RowsCovered or AuditEventTypes.ChainKeyed)), Is.EqualTo(new[] { "A", "B", "C" }));
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

        var stored = (await log.ReadAllAsync(CancellationToken.None).ToListAsync()).Single(e => e.Event.Type is not (AuditEventTypes.RowsCovered or AuditEventTypes.ChainKeyed)).Event;

        Assert.That((stored.OccurredAt, stored.Type, stored.Actor, stored.Outcome),
            Is.EqualTo((at, AuditEventTypes.UnauthorizedAccessAttempt, "tech1", AuditOutcome.Failure)));
    }
}
