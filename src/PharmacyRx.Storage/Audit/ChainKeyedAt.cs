using System.Data.Common;
using Dapper;
using PharmacyRx.Core.Audit;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// Where the keyed part of the chain begins: the first <see cref="AuditEventTypes.ChainKeyed"/> event, whatever its MAC says.
/// Nobody can put one before it (the trail only grows at its end), and one whose MAC was stripped still marks the start, so
/// an event without a MAC after it is never taken for one written before the chain was keyed. Removing it is a rewrite,
/// which verify reports against the signed heads.
/// </summary>
internal static class ChainKeyedAt
{
    public static async Task<long?> FindAsync(DbConnection connection, DbTransaction? transaction)
    {
        var sql = $"""
            SELECT sequence FROM audit_events WHERE event_type = 'ChainKeyed' ORDER BY sequence {Database.DialectOf(connection).FirstRows("1")}
            """;
        return await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(sql, transaction: transaction));
    }
}
