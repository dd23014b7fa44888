using System.Globalization;
using Dapper;
using PharmacyRx.Core.Audit;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// Finds the events since the last signed head that the service did not write (their MAC does not hold) and records them
/// once as a <see cref="AuditEventTypes.ChainIntrusion"/> (1311.215(a)(5)), before any head is signed. The service's own
/// events link past them (<c>AuditAppender</c>), so receiving goes on and no signed head vouches for them.
/// </summary>
public static class ChainIntrusions
{
    public const string Actor = "system:chain-check";

    /// <summary>The foreign events found and recorded now (empty when there were none, or all were recorded before).</summary>
    public static async Task<IReadOnlyList<long>> RecordAsync(Database database, AuditLog audit, ChainKeyRing keys, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var foreign = await FindAsync(database, keys, cancellationToken);
        if (foreign.Count > 0)
        {
            await audit.AppendAsync([new AuditEvent(now, AuditEventTypes.ChainIntrusion, Actor, AuditOutcome.Failure, "audit_events",
                $"sequences={Ranges(foreign)}; {foreign.Count} event(s) the service did not write (their MAC does not hold under the chain key) were found after the last signed head; the service's events link past them, no head is signed over them, and no rule reads them")],
                cancellationToken);
        }
        return foreign;
    }

    /// <summary>Foreign events after the newest head the service signed, less those an intrusion event already named.</summary>
    public static async Task<IReadOnlyList<long>> FindAsync(Database database, ChainKeyRing keys, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var keyedFrom = database.KeyedFrom ??= await ChainKeyedAt.FindAsync(connection, null);
        if (keyedFrom is null)
        {
            return [];
        }
        const string heads = """
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events WHERE event_type = 'ChainHeadSigned' ORDER BY sequence DESC
            """;
        long since = keyedFrom.Value;
        await foreach (var row in connection.QueryUnbufferedAsync<AuditLog.AuditRow>(heads).WithCancellation(cancellationToken))
        {
            var stored = row.ToChained();
            if (Holds(keys, stored))
            {
                since = Math.Max(since, stored.Sequence);
                break;
            }
        }
        const string after = """
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events WHERE sequence > @Since ORDER BY sequence
            """;
        var foreign = new List<long>();
        var reported = new HashSet<long>();
        await foreach (var row in connection.QueryUnbufferedAsync<AuditLog.AuditRow>(after, new { Since = since }).WithCancellation(cancellationToken))
        {
            var stored = row.ToChained();
            if (!Holds(keys, stored))
            {
                foreign.Add(stored.Sequence);
            }
            else if (stored.Event.Type == AuditEventTypes.ChainIntrusion)
            {
                reported.UnionWith(Parse(stored.Event.Details));
            }
        }
        return [.. foreign.Where(sequence => !reported.Contains(sequence))];
    }

    /// <summary>Sequence numbers as ranges: <c>12-14,20</c>.</summary>
    public static string Ranges(IReadOnlyList<long> sequences)
    {
        var parts = new List<string>();
        for (var i = 0; i < sequences.Count;)
        {
            var j = i;
            while (j + 1 < sequences.Count && sequences[j + 1] == sequences[j] + 1)
            {
                j++;
            }
            parts.Add(i == j ? sequences[i].ToString(CultureInfo.InvariantCulture) : $"{sequences[i]}-{sequences[j]}");
            i = j + 1;
        }
        return string.Join(',', parts);
    }

    /// <summary>The sequences an intrusion event names (its <c>sequences=</c> ranges).</summary>
    public static IEnumerable<long> Parse(string details)
    {
        var start = details.IndexOf("sequences=", StringComparison.Ordinal);
        if (start < 0)
        {
            yield break;
        }
        var end = details.IndexOf(';', start);
        foreach (var part in details[(start + 10)..(end < 0 ? details.Length : end)].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            if (long.TryParse(dash < 0 ? part : part[..dash], CultureInfo.InvariantCulture, out var first)
                && long.TryParse(dash < 0 ? part : part[(dash + 1)..], CultureInfo.InvariantCulture, out var last))
            {
                for (var sequence = first; sequence <= last && sequence - first < 1_000_000; sequence++)
                {
                    yield return sequence;
                }
            }
        }
    }

    private static bool Holds(ChainKeyRing keys, ChainedAuditEvent stored) =>
        AuditChain.Hash(stored.Sequence, stored.Event, stored.PreviousHash) == stored.Hash && keys.Holds(stored.Hash, stored.Mac);
}
