using System.Security.Cryptography;
using System.Text;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Audit;

/// <summary>
/// The hash chain that makes the audit trail tamper-evident (1311.205(b)(16)): each event's hash covers its own
/// fields, its sequence number and its predecessor's hash, so an edit, insertion or deletion breaks every later link.
/// </summary>
public static class AuditChain
{
    /// <summary>The predecessor hash of the first event.</summary>
    public static string GenesisHash { get; } = new('0', 64);

    /// <summary>Links an event after the given head.</summary>
    public static ChainedAuditEvent Link(long sequence, AuditEvent auditEvent, string previousHash) =>
        new(sequence, auditEvent, previousHash, Hash(sequence, auditEvent, previousHash));

    /// <summary>SHA-256 (lower-case hex) of the event's fields, LF-separated, in a fixed order.</summary>
    public static string Hash(long sequence, AuditEvent auditEvent, string previousHash)
    {
        var text = string.Join('\n',
            sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ReceiptSeal.FormatTimestamp(auditEvent.OccurredAt),
            auditEvent.Type,
            auditEvent.Actor,
            auditEvent.Outcome.ToString(),
            auditEvent.Target,
            auditEvent.Details,
            previousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>
    /// Walks stored events in sequence order and returns every break: a gap in the sequence, a predecessor hash that
    /// does not match, or a hash that does not match the fields.
    /// </summary>
    public static IEnumerable<string> FindBreaks(IEnumerable<ChainedAuditEvent> events)
    {
        var walker = new Walker();
        return events.SelectMany(walker.Next).ToArray();
    }

    /// <summary>
    /// Checks a chain one event at a time, so a long trail can be streamed rather than held in memory. With the chain's
    /// keys, every event from the first keyed one (<see cref="AuditEventTypes.ChainKeyed"/>) on must carry a MAC that
    /// holds; one that does not was not written by the service, and the service's next event links past it.
    /// </summary>
    public sealed class Walker(ChainKeyRing? keys = null)
    {
        // Without the keys, a link past events cannot be told from a cut: recent hashes name what it links to.
        private const int RecentHashes = 4096;
        private readonly Dictionary<string, long> _recent = new(StringComparer.Ordinal);
        private readonly Queue<string> _recentOrder = new();
        private string _expectedPrevious = GenesisHash;
        private string? _foreignPrevious;
        private long _expectedSequence = 1;

        /// <summary>The sequence of the first keyed event, once walked past (only with the keys).</summary>
        public long? KeyedFrom { get; private set; }

        /// <summary>Events whose MAC did not hold (only with the keys).</summary>
        public long ForeignEvents { get; private set; }

        /// <summary>Whether the event last walked was not written by the service: nothing it says counts.</summary>
        public bool LastWasForeign { get; private set; }

        /// <summary>The breaks found at this event, which must be the next one in sequence order.</summary>
        public IEnumerable<string> Next(ChainedAuditEvent stored)
        {
            var breaks = new List<string>();
            LastWasForeign = false;
            if (stored.Sequence != _expectedSequence)
            {
                breaks.Add($"audit event {_expectedSequence} is missing (next stored is {stored.Sequence})");
            }
            _expectedSequence = stored.Sequence + 1;
            var fieldsHold = Hash(stored.Sequence, stored.Event, stored.PreviousHash) == stored.Hash;
            if (keys is not null)
            {
                // A MAC over the stored hash that holds: the service wrote this event (whose fields may since have been altered).
                var written = keys.Holds(stored.Hash, stored.Mac);
                // The keyed part begins at the first ChainKeyed event (one whose MAC was stripped too) or the first MAC that holds.
                if (KeyedFrom is null && (written || stored.Event.Type == AuditEventTypes.ChainKeyed))
                {
                    KeyedFrom = stored.Sequence;
                }
                if (KeyedFrom is not null && !written)
                {
                    ForeignEvents++;
                    LastWasForeign = true;
                    breaks.Add($"audit event {stored.Sequence} was not written by the service: its MAC does not hold under the chain key");
                    // Named once: an event of the service's whose MAC was stripped is still what its successor links to.
                    _foreignPrevious = stored.Hash;
                    return breaks;
                }
            }
            if (stored.PreviousHash != _expectedPrevious && stored.PreviousHash != _foreignPrevious)
            {
                breaks.Add(_recent.TryGetValue(stored.PreviousHash, out var linked)
                    ? $"audit event {stored.Sequence} links to event {linked}, past the events after it: they were not written by the service or were replaced (verify with the key password tells which)"
                    : $"audit event {stored.Sequence} does not link to its predecessor");
            }
            if (!fieldsHold)
            {
                breaks.Add($"audit event {stored.Sequence} was altered: its hash does not match its fields");
            }
            _expectedPrevious = stored.Hash;
            _foreignPrevious = null;
            if (keys is null)
            {
                Remember(stored);
            }
            return breaks;
        }

        private void Remember(ChainedAuditEvent stored)
        {
            if (_recent.TryAdd(stored.Hash, stored.Sequence))
            {
                _recentOrder.Enqueue(stored.Hash);
                if (_recentOrder.Count > RecentHashes)
                {
                    _recent.Remove(_recentOrder.Dequeue());
                }
            }
        }
    }
}
