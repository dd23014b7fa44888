using System.Globalization;
using System.Text.RegularExpressions;
using PharmacyRx.Core.Audit;

namespace PharmacyRx.Host.Integrity;

/// <summary>
/// Checks the signed chain heads against the audit trail (1311.215(a)(5)): every head the chain says was signed has its
/// file and the file verifies; every signed head still matches the chain at its sequence. The newest head that holds is how
/// far the trail is proven complete. Feed it the chain in order with <see cref="Observe"/>.
/// </summary>
/// The copies in the second folder (<paramref name="outside"/>) must match the chain too; they count as proof as well.
public sealed partial class HeadVerifier(IReadOnlyList<ChainHeads.HeadFile> files, Func<long, string> pathOf, IReadOnlyList<ChainHeads.HeadFile> outside)
{
    private readonly Dictionary<long, ChainHeads.HeadFile> _files = files.ToDictionary(f => f.Sequence);
    private readonly Dictionary<long, ChainHeads.HeadFile> _outside = outside.ToDictionary(f => f.Sequence);
    private readonly Dictionary<long, string> _chainHashes = [];
    private readonly List<(long EventSequence, long Sequence, string Hash)> _signings = [];

    public void Observe(ChainedAuditEvent stored)
    {
        if (_files.ContainsKey(stored.Sequence) || _outside.ContainsKey(stored.Sequence))
        {
            _chainHashes[stored.Sequence] = stored.Hash;
        }
        if (stored.Event.Type == AuditEventTypes.ChainHeadSigned && Signing().Match(stored.Event.Details) is { Success: true } match)
        {
            _signings.Add((stored.Sequence, long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value));
        }
    }

    public IEnumerable<string> Problems()
    {
        foreach (var (eventSequence, sequence, hash) in _signings)
        {
            if (!_files.TryGetValue(sequence, out var file))
            {
                yield return $"signed head {sequence} (audit event {eventSequence}) has no head file {pathOf(sequence)}: it was deleted";
            }
            else if (file.Head is { } head && head.Hash != hash)
            {
                yield return $"head file {pathOf(sequence)} does not match audit event {eventSequence} that records its signing";
            }
        }
        foreach (var (file, outside) in _files.Values.Select(f => (f, false)).Concat(_outside.Values.Select(f => (f, true))).OrderBy(f => f.Item1.Sequence))
        {
            var copy = outside ? " (the copy in the second folder)" : "";
            if (file.Head is not { } head)
            {
                yield return $"head file {(outside ? $"{file.Sequence} in the second folder" : pathOf(file.Sequence))}: {file.Problem}";
            }
            else if (!_chainHashes.TryGetValue(head.Sequence, out var now))
            {
                yield return $"signed head {head.Sequence} (signed at {head.SignedAt:u}){copy} is beyond the end of the audit trail: the trail was truncated";
            }
            else if (now != head.Hash)
            {
                yield return $"audit event {head.Sequence} no longer matches signed head {head.Sequence} (signed at {head.SignedAt:u}){copy}: the trail was rewritten";
            }
        }
    }

    /// <summary>The newest signed head that holds, as a sentence.</summary>
    public string Truncation() =>
        _files.Values.Concat(_outside.Values)
            .Where(f => f.Head is { } head && _chainHashes.GetValueOrDefault(head.Sequence) == head.Hash).MaxBy(f => f.Sequence)?.Head is { } last
            ? $"no truncation provable beyond head {last.Sequence} signed at {last.SignedAt:u}"
            : "no signed head holds: a truncation of the audit trail cannot be ruled out";

    [GeneratedRegex(@"^sequence=(\d+); hash=([0-9a-f]{64})$")]
    private static partial Regex Signing();
}
