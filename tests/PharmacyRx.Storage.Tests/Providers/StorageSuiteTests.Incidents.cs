using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Tests.Providers;

// The flagged events 1311.215(c) asks the pharmacy to decide: each read takes only what the trail gained since the read
// before, and an event appended behind the service's back (linked with the public hash, no MAC) is never among them.
public partial class StorageSuiteTests
{
    [Test]
    [Property("Rule", "1311.215(c)")]
    public async Task Flagged_events_are_read_as_the_trail_grows_and_one_appended_behind_the_services_back_is_never_among_them()
    {
        var none = CancellationToken.None;
        var audit = new AuditLog(_store.Database);
        var incidents = new IncidentStore(_store.Database, TimeProvider.System);
        AuditEvent Failed(string user) => new(DateTimeOffset.UtcNow, AuditEventTypes.LoginFailed, user, AuditOutcome.Failure, "console", "wrong password");

        await audit.AppendAsync([Failed("first")], none);
        var first = (await incidents.ReadAsync(none)).Undecided.Select(e => e.Event.Actor).ToArray();
        await audit.AppendAsync([Failed("second")], none);
        await using (var intruder = await _store.IntruderAsync())
        {
            var (sequence, hash) = await intruder.QuerySingleAsync<(long, string)>(
                "SELECT sequence, hash FROM audit_events WHERE sequence = (SELECT MAX(sequence) FROM audit_events)");
            var planted = Failed("planted");
            var linked = AuditChain.Link(sequence + 1, planted, hash);
            await intruder.ExecuteAsync("""
                INSERT INTO audit_events (sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash)
                VALUES (@Sequence, @At, @Type, @Actor, 'Failure', @Target, @Details, @PreviousHash, @Hash)
                """, new
            {
                linked.Sequence, At = ReceiptSeal.FormatTimestamp(planted.OccurredAt), planted.Type, planted.Actor, planted.Target, planted.Details,
                linked.PreviousHash, linked.Hash,
            });
        }
        await audit.AppendAsync([Failed("third")], none);

        var later = (await incidents.ReadAsync(none)).Undecided.Select(e => e.Event.Actor).ToArray();
        var fresh = (await new IncidentStore(_store.Database, TimeProvider.System).ReadAsync(none)).Undecided.Select(e => e.Event.Actor).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(new[] { "first" }));
            Assert.That(later, Is.EqualTo(new[] { "first", "second", "third" }));
            Assert.That(fresh, Is.EqualTo(later), "a store that reads the whole trail at once finds the same");
        });
    }
}
