using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Integrity;

namespace PharmacyRx.Storage.Access;

/// <summary>
/// The pharmacy's access policy as its newest events say: who is pharmacist-in-charge, and whether the two-person rule is
/// off. Only events under the chain's MAC count (1311.215(a)(2)): a policy event planted in the file changes nothing.
/// </summary>
public sealed class AccessPolicy(Database database)
{
    /// <summary>The target prefix of a <c>PharmacistInChargeNamed</c> event; the user name follows (empty: none named).</summary>
    public const string PharmacistInChargeTarget = "pharmacist-in-charge:";

    /// <summary>The policy in force, with the events that set it (null: never set; the rule is on and nobody is named).</summary>
    public sealed record State(string? PharmacistInCharge, bool RuleOff, AuditEvent? RuleSetBy)
    {
        public static readonly State Default = new(null, false, null);
    }

    public async Task<State> ReadAsync(CancellationToken cancellationToken)
    {
        // The event_type term is the partial index's WHERE, word for word (0092_index_access_policy_events.sql).
        const string sql = """
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events
            WHERE event_type IN ('PharmacistInChargeNamed', 'TwoPersonRuleTurnedOff', 'TwoPersonRuleTurnedOn')
            ORDER BY sequence DESC
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        string? pharmacistInCharge = null;
        AuditEvent? rule = null;
        var named = false;
        foreach (var stored in (await connection.QueryAsync<AuditLog.AuditRow>(new CommandDefinition(sql, cancellationToken: cancellationToken)))
            .Select(r => r.ToChained()))
        {
            if (named && rule is not null)
            {
                break;
            }
            if (AuditChain.Hash(stored.Sequence, stored.Event, stored.PreviousHash) != stored.Hash
                || !await CoverageCheck.WrittenByServiceAsync(connection, null, stored))
            {
                continue;
            }
            if (stored.Event.Type == AuditEventTypes.PharmacistInChargeNamed && !named)
            {
                named = true;
                pharmacistInCharge = stored.Event.Target.StartsWith(PharmacistInChargeTarget, StringComparison.Ordinal)
                    && stored.Event.Target[PharmacistInChargeTarget.Length..] is { Length: > 0 } name ? name : null;
            }
            else if (stored.Event.Type != AuditEventTypes.PharmacistInChargeNamed)
            {
                rule ??= stored.Event;
            }
        }
        return new(pharmacistInCharge, rule?.Type == AuditEventTypes.TwoPersonRuleTurnedOff, rule);
    }
}
