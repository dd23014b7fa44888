using System.Data.Common;
using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Integrity;

/// <summary>
/// Whether a row the rules rely on is the one the chain recorded: its hash equals its
/// <see cref="AuditEventTypes.RowsCovered"/> event's and that event's hash holds; a row written with plain SQL is not.
/// Once the chain is keyed the event's MAC must hold too: an event appended with the public hash records nothing.
/// </summary>
public static class CoverageCheck
{
    /// <summary>
    /// Whether the service wrote a stored event: its MAC holds under the chain key; before the chain was keyed (no MAC
    /// column value, a sequence before the first keyed event) the hash alone stands, as it did then.
    /// </summary>
    public static async Task<bool> WrittenByServiceAsync(DbConnection connection, DbTransaction? transaction, ChainedAuditEvent stored)
    {
        var database = Database.Of(connection);
        if (database.ChainKeys is not { } keys)
        {
            // A reader without the key password (a verb that only reads) decides nothing; the hash stands.
            return true;
        }
        if (keys.Holds(stored.Hash, stored.Mac))
        {
            return true;
        }
        if (stored.Mac is not null)
        {
            return false;
        }
        // Before the chain became keyed the hash stands; the chain begins at sequence 1, so a row below it (planted at 0 or
        // less, where the key would not be asked for) is nobody's.
        var keyedFrom = database.KeyedFrom ??= await ChainKeyedAt.FindAsync(connection, transaction);
        return stored.Sequence >= 1 && (keyedFrom is null || stored.Sequence < keyedFrom);
    }

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
            || hash != found.RowHash)
        {
            return false;
        }
        var proven = Database.Of(connection).ProvenRows;
        if (proven.ContainsKey((table.Name, key, hash, found.AuditSequence)))
        {
            return true;
        }
        if (await AuditLog.ReadAsync(connection, transaction, found.AuditSequence, cancellationToken) is not { } stored)
        {
            return false;
        }
        var holds = stored.Event.Type == AuditEventTypes.RowsCovered
            && stored.Event.Target == table.Name
            && AuditChain.Hash(stored.Sequence, stored.Event, stored.PreviousHash) == stored.Hash
            && await WrittenByServiceAsync(connection, transaction, stored)
            && RowCoverage.Parse(stored.Event.Details).Contains((key, hash));
        if (holds)
        {
            if (proven.Count > 100_000)
            {
                proven.Clear();
            }
            proven[(table.Name, key, hash, found.AuditSequence)] = true;
        }
        return holds;
    }
}
