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

    /// <summary>Checks a chain one event at a time, so a long trail can be streamed rather than held in memory.</summary>
    public sealed class Walker
    {
        private string _expectedPrevious = GenesisHash;
        private long _expectedSequence = 1;

        /// <summary>The breaks found at this event, which must be the next one in sequence order.</summary>
        public IEnumerable<string> Next(ChainedAuditEvent stored)
        {
            var breaks = new List<string>();
            if (stored.Sequence != _expectedSequence)
            {
                breaks.Add($"audit event {_expectedSequence} is missing (next stored is {stored.Sequence})");
            }
            if (stored.PreviousHash != _expectedPrevious)
            {
                breaks.Add($"audit event {stored.Sequence} does not link to its predecessor");
            }
            if (Hash(stored.Sequence, stored.Event, stored.PreviousHash) != stored.Hash)
            {
                breaks.Add($"audit event {stored.Sequence} was altered: its hash does not match its fields");
            }
            _expectedPrevious = stored.Hash;
            _expectedSequence = stored.Sequence + 1;
            return breaks;
        }
    }
}
