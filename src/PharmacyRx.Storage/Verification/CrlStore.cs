using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Verification;

namespace PharmacyRx.Storage.Verification;

/// <summary>Every CRL the service has held (1311.210(c)(2)), with where it came from; each one stored is audited.</summary>
public sealed class CrlStore(Database database, TimeProvider time)
{
    /// <summary>A stored CRL as listed.</summary>
    public sealed record StoredCrl(string Sha256, string Issuer, string CrlNumber, string ThisUpdate, string? NextUpdate, string Source, string StoredAt);

    /// <summary>Stores a CRL; false when the same CRL (by SHA-256) is already stored.</summary>
    public async Task<bool> AddAsync(RevocationList list, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await database.AuditedAsync<bool>(async (connection, transaction) =>
        {
            var sql = $"""
                INSERT INTO revocation_lists (sha256, issuer, crl_number, this_update, next_update, source, der, stored_at)
                VALUES (@Sha256, @Issuer, @Number, @ThisUpdate, @NextUpdate, @Source, @Der, @StoredAt)
                {database.Dialect.IgnoreDuplicateKey}
                """;
            var inserted = await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                list.Sha256,
                list.Issuer,
                list.Number,
                ThisUpdate = ReceiptSeal.FormatTimestamp(list.ThisUpdate),
                NextUpdate = list.NextUpdate is { } next ? ReceiptSeal.FormatTimestamp(next) : null,
                list.Source,
                list.Der,
                StoredAt = ReceiptSeal.FormatTimestamp(now),
            }, transaction, cancellationToken: cancellationToken));
            return inserted == 0
                ? (false, [], false)
                : (true, [new AuditEvent(now, AuditEventTypes.CrlStored, actor, AuditOutcome.Success, list.Sha256,
                    $"issuer={list.Issuer}; number={list.Number}; thisUpdate={ReceiptSeal.FormatTimestamp(list.ThisUpdate)}; source={list.Source}")], true);
        }, cancellationToken);
    }

    /// <summary>Every stored CRL, by issuer, newest first.</summary>
    public async Task<IReadOnlyList<StoredCrl>> ListAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT sha256, issuer, crl_number, this_update, next_update, source, stored_at
            FROM revocation_lists ORDER BY issuer, this_update DESC
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<StoredCrl>(new CommandDefinition(sql, cancellationToken: cancellationToken))).ToArray();
    }

    /// <summary>The DER of the newest few CRLs per issuer, to load into memory at start-up.</summary>
    public async Task<IReadOnlyList<(byte[] Der, string Source)>> ReadRecentAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT der, source FROM (
              SELECT der, source, ROW_NUMBER() OVER (PARTITION BY issuer ORDER BY this_update DESC) AS newest
              FROM revocation_lists) recent
            WHERE newest <= 2
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<(byte[] Der, string Source)>(new CommandDefinition(sql, cancellationToken: cancellationToken))).ToArray();
    }
}
