using System.Security.Cryptography;
using System.Text;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Keys;

namespace PharmacyRx.Core.Tests.Audit;

public class ChainKeyTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 19, 8, 0, TimeSpan.Zero);

    private static ChainKeyRing Ring(string seed = "ring one") => new(ChainKey.FromBytes(SHA256.HashData(Encoding.UTF8.GetBytes(seed))));

    private static AuditEvent Event(string details) => new(At, AuditEventTypes.UserCreated, "admin", AuditOutcome.Success, "someone", details);

    /// <summary>A chain as the service writes it: a ChainKeyed event, then events each linked and MAC'd.</summary>
    private static List<ChainedAuditEvent> Written(ChainKeyRing keys, int count)
    {
        var events = new List<ChainedAuditEvent>();
        var previous = AuditChain.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var linked = AuditChain.Link(i, i == 1 ? Event("keyed") with { Type = AuditEventTypes.ChainKeyed } : Event($"event {i}"), previous);
            events.Add(linked with { Mac = keys.Current.Mac(linked.Hash) });
            previous = linked.Hash;
        }
        return events;
    }

    [Test]
    [Property("Rule", "1311.205(b)(16)")]
    public void A_mac_holds_only_for_the_hash_it_was_made_over_and_under_a_key_of_the_ring()
    {
        using var keys = Ring();
        using var other = Ring("another pharmacy");
        var hash = new string('a', 64);
        var mac = keys.Current.Mac(hash);

        Assert.That(keys.Holds(hash, mac), Is.True);
        Assert.That(keys.Holds(new string('b', 64), mac), Is.False, "copied onto another event");
        Assert.That(keys.Holds(hash, other.Current.Mac(hash)), Is.False, "made under another key");
        Assert.That(keys.Holds(hash, keys.Current.Id + ":" + new string('0', 64)), Is.False, "made up");
        Assert.That(keys.Holds(hash, null), Is.False);
    }

    [Test]
    public void The_chain_key_of_a_pharmacy_key_is_the_same_on_every_instance_and_differs_between_keys()
    {
        using var first = PharmacySigningKey.Generate("Synthetic Pharmacy", At);
        using var second = PharmacySigningKey.Generate("Synthetic Pharmacy", At);
        using var a = ChainKey.Derive(first);
        using var again = ChainKey.Derive(first);
        using var b = ChainKey.Derive(second);

        Assert.That(again.Id, Is.EqualTo(a.Id));
        Assert.That(again.Mac("h"), Is.EqualTo(a.Mac("h")));
        Assert.That(b.Id, Is.Not.EqualTo(a.Id));
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public void The_walker_names_an_event_the_service_did_not_write_and_accepts_the_next_one_linking_past_it()
    {
        using var keys = Ring();
        var events = Written(keys, 3);
        var forged = AuditChain.Link(4, Event("forged with the public hash"), events[^1].Hash);
        var next = AuditChain.Link(5, Event("the service's next"), events[^1].Hash);
        events.Add(forged);
        events.Add(next with { Mac = keys.Current.Mac(next.Hash) });

        var walker = new AuditChain.Walker(keys);
        var breaks = events.SelectMany(walker.Next).ToArray();

        Assert.That(breaks, Is.EqualTo(new[] { "audit event 4 was not written by the service: its MAC does not hold under the chain key" }));
        Assert.That((walker.KeyedFrom, walker.ForeignEvents), Is.EqualTo(((long?)1, 1L)));
    }

    [Test]
    public void Without_the_keys_a_link_past_events_is_named_with_what_it_links_to()
    {
        using var keys = Ring();
        var events = Written(keys, 3);
        var forged = AuditChain.Link(4, Event("forged"), events[^1].Hash);
        var next = AuditChain.Link(5, Event("next"), events[^1].Hash);
        events.AddRange([forged, next with { Mac = keys.Current.Mac(next.Hash) }]);

        var breaks = AuditChain.FindBreaks(events);

        Assert.That(breaks, Has.Exactly(1).StartsWith("audit event 5 links to event 3, past the events after it"));
    }

    [Test]
    public void A_service_event_whose_fields_were_edited_is_altered_not_foreign()
    {
        using var keys = Ring();
        var events = Written(keys, 3);
        events[1] = events[1] with { Event = events[1].Event with { Details = "edited" } };

        var breaks = events.SelectMany(new AuditChain.Walker(keys).Next).ToArray();

        Assert.That(breaks, Is.EqualTo(new[] { "audit event 2 was altered: its hash does not match its fields" }));
    }

    [Test]
    public void Keys_a_rotation_replaced_are_opened_from_their_seal_under_the_new_key_and_still_verify()
    {
        using var old = Ring("before the rotation");
        var hash = new string('c', 64);
        var oldMac = old.Current.Mac(hash);
        using var successor = ChainKey.FromBytes(SHA256.HashData("after the rotation"u8));
        var sealedKeys = old.SealAllUnder(successor).ToList();
        using var rotated = new ChainKeyRing(ChainKey.FromBytes(SHA256.HashData("after the rotation"u8)));
        using var editedCopy = new ChainKeyRing(ChainKey.FromBytes(SHA256.HashData("after the rotation"u8)));

        var tampered = editedCopy.AddSealed(sealedKeys.Select(k => (k.KeyId, k.Sealed[..^4] + "AAA=")));
        var added = rotated.AddSealed(sealedKeys);

        Assert.That(added, Is.EqualTo(1));
        Assert.That(tampered, Is.Zero);
        Assert.That(rotated.Holds(hash, oldMac), Is.True);
        Assert.That(editedCopy.Holds(hash, oldMac), Is.False);
    }

    [Test]
    public void A_sealed_value_opens_only_for_its_purpose_and_association()
    {
        using var keys = Ring();
        var sealedText = keys.Current.Seal("console key xml"u8, "console", "key-1");

        Assert.That(keys.Open(sealedText, "console", "key-1"), Is.EqualTo("console key xml"u8.ToArray()));
        Assert.That(keys.Open(sealedText, "console", "key-2"), Is.Null);
        Assert.That(keys.Open(sealedText, "another purpose", "key-1"), Is.Null);
        Assert.That(keys.Open("<key>planted in the clear</key>", "console", "key-1"), Is.Null);
    }

    [Test]
    public void A_chain_whose_keyed_start_lost_its_MAC_still_names_the_events_after_it_that_have_none()
    {
        using var keys = Ring();
        var events = Written(keys, 2);
        events[0] = events[0] with { Mac = null };
        var forged = AuditChain.Link(3, Event("forged"), events[^1].Hash);
        events.Add(forged);

        var walker = new AuditChain.Walker(keys);
        var breaks = events.SelectMany(walker.Next).ToArray();

        Assert.That(walker.KeyedFrom, Is.EqualTo(1));
        Assert.That(breaks, Is.EqualTo(new[]
        {
            "audit event 1 was not written by the service: its MAC does not hold under the chain key",
            "audit event 3 was not written by the service: its MAC does not hold under the chain key",
        }));
    }
}
