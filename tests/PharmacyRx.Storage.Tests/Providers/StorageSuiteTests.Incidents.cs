using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Testing;

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
        var incidents = new IncidentStore(_store.Database, new PharmacyClock(TimeProvider.System, TimeZoneInfo.Utc), new PharmacyRx.Storage.Tests.Audit.TextReportPage());
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
        var fresh = (await new IncidentStore(_store.Database, new PharmacyClock(TimeProvider.System, TimeZoneInfo.Utc), new PharmacyRx.Storage.Tests.Audit.TextReportPage()).ReadAsync(none)).Undecided.Select(e => e.Event.Actor).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(new[] { "first" }));
            Assert.That(later, Is.EqualTo(new[] { "first", "second", "third" }));
            Assert.That(fresh, Is.EqualTo(later), "a store that reads the whole trail at once finds the same");
        });
    }

    [Test]
    [Property("Rule", "1311.215(c)")]
    public async Task An_incident_is_due_one_business_day_after_the_pharmacys_day_it_was_decided_on_not_the_machines()
    {
        // Thursday 2026-12-03, 20:00 in Chicago, is already Friday in UTC: the report is due at the end of Chicago's Friday,
        // not of the Monday after the machine's Friday.
        var none = CancellationToken.None;
        var chicago = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");
        var decidedAt = new DateTimeOffset(2026, 12, 3, 20, 0, 0, TimeSpan.FromHours(-6));
        var clock = new ManualTimeProvider(decidedAt);
        var incidents = new IncidentStore(_store.Database, new PharmacyClock(clock, chicago), new PharmacyRx.Storage.Tests.Audit.TextReportPage());
        await new AuditLog(_store.Database).AppendAsync(
            [new AuditEvent(decidedAt.AddMinutes(-5), AuditEventTypes.LoginFailed, "someone", AuditOutcome.Failure, "console", "wrong password")], none);
        var flagged = (await incidents.ReadAsync(none)).Undecided.Select(e => e.Sequence).ToArray();

        var decided = await incidents.DecideAsync(flagged, incident: true, "guessing at a pharmacist's password", "account locked", "it-admin", none);
        var incident = (await incidents.ReadAsync(none)).Incidents.Single();
        var (text, _) = (await incidents.ReportAsync(decided.DecisionId!.Value, none))!.Value;

        Assert.Multiple(() =>
        {
            Assert.That(incident.DueDay, Is.EqualTo(new DateOnly(2026, 12, 4)));
            Assert.That(incident.DueBy, Is.EqualTo(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.FromHours(-6))));
            Assert.That(text, Does.Contain("by the end of 2026-12-04").And.Contain("2026-12-03 20:00:00 -06:00"), "times read on the pharmacy's clock");
        });
    }
}
