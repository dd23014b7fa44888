using System.Collections.Concurrent;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// Says whether a repeated refusal for one key (a sender, an address) is due to be audited: once per window, so a
/// flood of refusals is recorded without becoming a flood of audit events (1311.215(a)(1)).
/// </summary>
internal sealed class OncePerWindow(TimeProvider time, TimeSpan window)
{
    private const int MaxKeys = 10_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _last = new(StringComparer.Ordinal);

    public bool IsDue(string key)
    {
        var now = time.GetUtcNow();
        if (_last.Count > MaxKeys)
        {
            // Bounded memory under a flood of addresses: forget keys whose window has passed.
            foreach (var (stale, at) in _last)
            {
                if (now - at >= window)
                {
                    _last.TryRemove(stale, out _);
                }
            }
        }
        var due = false;
        _last.AddOrUpdate(key, _ => { due = true; return now; }, (_, at) =>
        {
            due = now - at >= window;
            return due ? now : at;
        });
        return due;
    }
}
