using System.Globalization;
using System.Text.RegularExpressions;
using PharmacyRx.Core.Audit;

namespace PharmacyRx.Host.Integrity;

/// <summary>
/// Checks the signed chain heads against the audit trail (1311.215(a)(5)): each head the chain says was signed has a
/// file that verifies and still matches the chain at its sequence; the newest that holds is how far the trail is proven
/// complete. Feed it the chain in order with <see cref="Observe"/>.
/// </summary>
public sealed partial class HeadVerifier(
    IReadOnlyList<ChainHeads.HeadFile> files, Func<long, string> pathOf, IReadOnlyList<ChainHeads.HeadFile> outside, string instance)
{
    private readonly Dictionary<long, ChainHeads.HeadFile> _files = files.ToDictionary(f => f.Sequence);
    // The second folder's copies must match the chain too, and count as proof; a chain's instances share that folder.
    private readonly Dictionary<long, ChainHeads.HeadFile> _outside = outside.ToDictionary(f => f.Sequence);
    private readonly Dictionary<long, string> _chainHashes = [];
    private readonly List<(long EventSequence, long Sequence, string Hash, string? Instance)> _signings = [];

    public void Observe(ChainedAuditEvent stored)
    {
        if (_files.ContainsKey(stored.Sequence) || _outside.ContainsKey(stored.Sequence))
        {
            _chainHashes[stored.Sequence] = stored.Hash;
        }
        if (stored.Event.Type == AuditEventTypes.ChainHeadSigned && Signing().Match(stored.Event.Details) is { Success: true } match)
        {
            _signings.Add((stored.Sequence, long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value,
                match.Groups[3].Success ? match.Groups[3].Value : null));
        }
    }

    public IEnumerable<string> Problems()
    {
        foreach (var (eventSequence, sequence, hash, signer) in _signings)
        {
            // Another instance's head is checked through its copy in the second folder, or warned of (Warnings).
            var elsewhere = OfAnotherInstance(sequence, signer);
            var (file, name) = elsewhere
                ? (_outside.GetValueOrDefault(sequence), $"the copy of head {sequence} in the second folder")
                : (_files.GetValueOrDefault(sequence), $"head file {pathOf(sequence)}");
            if (file is null && !elsewhere)
            {
                yield return $"signed head {sequence} (audit event {eventSequence}) has no head file {pathOf(sequence)}: it was deleted";
            }
            else if (file?.Head is { } head && head.Hash != hash)
            {
                yield return $"{name} does not match audit event {eventSequence} that records its signing";
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

    /// <summary>
    /// The heads another instance signed that this one cannot see: their file is in that instance's data folder and no copy
    /// is in the second folder. Not a failure here; verify on that instance checks them.
    /// </summary>
    public IEnumerable<string> Warnings() =>
        _signings.Where(s => OfAnotherInstance(s.Sequence, s.Instance) && !_outside.ContainsKey(s.Sequence)).Select(s =>
            $"signed head {s.Sequence} (audit event {s.EventSequence}) was signed by instance {s.Instance}: its file is in that instance's data folder, not checked here");

    // A signing recorded with another instance's name whose file is not here; one without a name is from before instances
    // were named, and this instance's.
    private bool OfAnotherInstance(long sequence, string? signer) => signer is not null && signer != instance && !_files.ContainsKey(sequence);

    /// <summary>The signed heads, here and in the second folder, that the chain as it is still holds (after it was observed).</summary>
    public IEnumerable<SignedHead> Holding() =>
        _files.Values.Concat(_outside.Values).Select(f => f.Head).OfType<SignedHead>().Where(head => _chainHashes.GetValueOrDefault(head.Sequence) == head.Hash);

    /// <summary>The newest signed head that holds, as a sentence.</summary>
    public string Truncation() =>
        Holding().MaxBy(head => head.Sequence) is { } last
            ? $"no truncation provable beyond head {last.Sequence} signed at {last.SignedAt:u}"
            : "no signed head holds: a truncation of the audit trail cannot be ruled out";

    [GeneratedRegex(@"^sequence=(\d+); hash=([0-9a-f]{64})(?:; instance=([^;]+))?$")]
    private static partial Regex Signing();
}
