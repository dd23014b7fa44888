using System.Data.Common;
using Dapper;
using PharmacyRx.Core.Audit;

namespace PharmacyRx.Storage.Audit;

/// <summary>Where the keyed part of the chain begins: the first <see cref="AuditEventTypes.ChainKeyed"/> event whose MAC holds.</summary>
internal static class ChainKeyedAt
{
    public static async Task<long?> FindAsync(DbConnection connection, DbTransaction? transaction, ChainKeyRing keys)
    {
        const string sql = """
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events WHERE event_type = 'ChainKeyed' ORDER BY sequence
            """;
        foreach (var stored in (await connection.QueryAsync<AuditLog.AuditRow>(new CommandDefinition(sql, transaction: transaction))).Select(row => row.ToChained()))
        {
            if (AuditChain.Hash(stored.Sequence, stored.Event, stored.PreviousHash) == stored.Hash && keys.Holds(stored.Hash, stored.Mac))
            {
                return stored.Sequence;
            }
        }
        return null;
    }
}
