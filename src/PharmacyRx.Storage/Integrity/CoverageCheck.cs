using System.Data.Common;
using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Integrity;

/// <summary>
/// Whether a row the rules are about to rely on is the row the audit chain recorded: its hash now equals the hash in the
/// <see cref="AuditEventTypes.RowsCovered"/> event that recorded it, and that event's own hash holds. A row written
/// with plain SQL behind the service's back is not, and the rules ignore it.
/// </summary>
public static class CoverageCheck
{
    public static async Task<bool> IsCoveredAsync(
        DbConnection connection, DbTransaction? transaction, CoveredTable table, string key, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT row_hash, audit_sequence FROM coverage_rows WHERE table_name = @Table AND row_key = @Key
            """;
        var recorded = await connection.QuerySingleOrDefaultAsync<(string RowHash, long AuditSequence)?>(
            new CommandDefinition(sql, new { Table = table.Name, Key = key }, transaction, cancellationToken: cancellationToken));
        if (recorded is not { } found
            || await CoveredRows.HashAsync(connection, transaction, table, key, cancellationToken) is not { } hash
            || hash != found.RowHash
            || await AuditLog.ReadAsync(connection, transaction, found.AuditSequence, cancellationToken) is not { } stored)
        {
            return false;
        }
        return stored.Event.Type == AuditEventTypes.RowsCovered
            && stored.Event.Target == table.Name
            && AuditChain.Hash(stored.Sequence, stored.Event, stored.PreviousHash) == stored.Hash
            && RowCoverage.Parse(stored.Event.Details).Contains((key, hash));
    }
}
