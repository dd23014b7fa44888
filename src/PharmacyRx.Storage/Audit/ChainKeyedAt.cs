using System.Data.Common;
using Dapper;
using PharmacyRx.Core.Audit;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// Where the keyed part of the chain begins: the first <see cref="AuditEventTypes.ChainKeyed"/> event, whatever its MAC
/// says. None can precede it (the trail only grows at its end) and one with its MAC stripped still marks the start, so
/// no later MAC-less event passes as older; removing it is a rewrite, caught by the signed heads.
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
