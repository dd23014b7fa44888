namespace PharmacyRx.Core.Audit;

/// <summary>
/// The chain key in use and the keys it replaced (each rotation seals the earlier ones under its successor), so events
/// written before a rotation still verify. Checks a MAC against the key it names.
/// </summary>
public sealed class ChainKeyRing : IDisposable
{
    /// <summary>What sealed earlier keys are for: the associated data and sub-key purpose of <see cref="ChainKey.Seal"/>.</summary>
    public const string SealPurpose = "earlier chain key";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ChainKey> _keys = new(StringComparer.Ordinal);

    public ChainKeyRing(ChainKey current, IEnumerable<ChainKey>? earlier = null)
    {
        Current = current;
        _keys[current.Id] = current;
        foreach (var key in earlier ?? [])
        {
            _keys.TryAdd(key.Id, key);
        }
    }

    /// <summary>The key new events are written under.</summary>
    public ChainKey Current { get; }

    /// <summary>The ids of every key the ring holds.</summary>
    public IReadOnlyCollection<string> Ids => [.. _keys.Keys];

    /// <summary>Whether a stored event's MAC holds: made by a key of the ring over this hash.</summary>
    public bool Holds(string hash, string? mac) => Find(mac) is { } key && key.Holds("audit-event\n" + hash, mac!);

    /// <summary>Whether a row's MAC (<see cref="ChainKey.MacRow"/>) holds.</summary>
    public bool RowHolds(string? mac, string purpose, params ReadOnlySpan<string?> fields) =>
        Find(mac) is { } key && key.Holds(ChainKey.RowText(purpose, fields), mac!);

    /// <summary>What one of the ring's keys sealed, or null.</summary>
    public byte[]? Open(string? sealedText, string purpose, string associated) =>
        Find(sealedText) is { } key ? key.Open(sealedText![(key.Id.Length + 1)..], purpose, associated) : null;

    /// <summary>The earlier keys, each sealed under <paramref name="successor"/>: what a rotation stores.</summary>
    public IEnumerable<(string KeyId, string Sealed)> SealAllUnder(ChainKey successor)
    {
        foreach (var key in _keys.Values)
        {
            var bytes = key.Export();
            try
            {
                yield return (key.Id, successor.Seal(bytes, SealPurpose, key.Id));
            }
            finally
            {
                Array.Clear(bytes);
            }
        }
    }

    /// <summary>
    /// Adds the earlier keys stored sealed under the current key (<see cref="SealAllUnder"/>); rows that do not open are
    /// skipped. Returns how many were added.
    /// </summary>
    public int AddSealed(IEnumerable<(string KeyId, string Sealed)> stored)
    {
        var added = 0;
        foreach (var (keyId, sealedKey) in stored)
        {
            if (Current.Open(sealedKey.StartsWith(Current.Id + ":", StringComparison.Ordinal) ? sealedKey[(Current.Id.Length + 1)..] : "", SealPurpose, keyId) is { } bytes)
            {
                var key = ChainKey.FromBytes(bytes);
                Array.Clear(bytes);
                if (key.Id == keyId && _keys.TryAdd(key.Id, key))
                {
                    added++;
                }
                else
                {
                    key.Dispose();
                }
            }
        }
        return added;
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }

    private ChainKey? Find(string? tagged)
    {
        var colon = tagged?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        return colon > 0 && _keys.TryGetValue(tagged![..colon], out var key) ? key : null;
    }
}
