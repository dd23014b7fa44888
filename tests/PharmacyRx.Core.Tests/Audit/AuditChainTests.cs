using PharmacyRx.Core.Audit;

namespace PharmacyRx.Core.Tests.Audit;

public class AuditChainTests
{
    private static List<ChainedAuditEvent> Chain(int count)
    {
        var events = new List<ChainedAuditEvent>();
        var previous = AuditChain.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var linked = AuditChain.Link(i, new AuditEvent(
                new DateTimeOffset(2026, 11, 22, 8, 0, i, TimeSpan.Zero), "PrescriptionReceived", "system:test", AuditOutcome.Success, $"target-{i}", "status=ReceiptSigned"), previous);
            events.Add(linked);
            previous = linked.Hash;
        }
        return events;
    }

    [Test]
    public void An_untouched_chain_has_no_breaks()
    {
        Assert.That(AuditChain.FindBreaks(Chain(5)), Is.Empty);
    }

    [Test]
    public void An_edited_event_is_found()
    {
        var chain = Chain(5);
        chain[2] = chain[2] with { Event = chain[2].Event with { Outcome = AuditOutcome.Failure } };

        Assert.That(AuditChain.FindBreaks(chain), Is.EqualTo(new[] { "audit event 3 was altered: its hash does not match its fields" }));
    }

    [Test]
    public void A_deleted_event_is_found()
    {
        var chain = Chain(5);
        chain.RemoveAt(1);

        Assert.That(AuditChain.FindBreaks(chain), Is.EqualTo(new[]
        {
            "audit event 2 is missing (next stored is 3)",
            "audit event 3 does not link to its predecessor",
        }));
    }

    [Test]
    [Property("Rule", "1311.205(b)(16)")]
    public void A_rehashed_edit_still_breaks_the_next_link()
    {
        var chain = Chain(5);
        var forged = chain[2].Event with { Actor = "someone-else" };
        chain[2] = AuditChain.Link(3, forged, chain[2].PreviousHash);

        Assert.That(AuditChain.FindBreaks(chain), Is.EqualTo(new[] { "audit event 4 does not link to its predecessor" }));
    }
}
