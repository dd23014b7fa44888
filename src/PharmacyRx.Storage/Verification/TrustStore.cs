using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Verification;

namespace PharmacyRx.Storage.Verification;

/// <summary>
/// The certificates pharmacy IT trusts (1311.210(c)), each change audited with before and after in the same
/// transaction (1311.215(a)(4)).
/// </summary>
public sealed class TrustStore(Database database, TimeProvider time)
{
    /// <summary>Adds a certificate; false when the same thumbprint is already trusted (nothing changes).</summary>
    public async Task<bool> AddAsync(TrustedCertificate certificate, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await database.AuditedAsync<bool>(async (connection, transaction) =>
        {
            var sql = $"""
                INSERT INTO trusted_certificates (thumbprint, purpose, subject, not_after, der, added_at, added_by)
                VALUES (@Thumbprint, @Purpose, @Subject, @NotAfter, @Der, @AddedAt, @AddedBy)
                {database.Dialect.IgnoreDuplicateKey}
                """;
            var inserted = await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                certificate.Thumbprint,
                Purpose = certificate.Purpose.ToString(),
                certificate.Subject,
                NotAfter = ReceiptSeal.FormatTimestamp(certificate.NotAfter),
                certificate.Der,
                AddedAt = ReceiptSeal.FormatTimestamp(now),
                AddedBy = actor,
            }, transaction, cancellationToken: cancellationToken));
            return inserted == 0
                ? (false, [], false)
                : (true, [new AuditEvent(now, AuditEventTypes.TrustAdded, actor, AuditOutcome.Success, certificate.Thumbprint,
                    $"before: not trusted; after: trusted as {certificate.Purpose}; subject={certificate.Subject}")], true);
        }, cancellationToken);
    }

    /// <summary>Removes a certificate by thumbprint; false when none is trusted with it.</summary>
    public async Task<bool> RemoveAsync(string thumbprint, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await database.AuditedAsync<bool>(async (connection, transaction) =>
        {
            const string sql = """
                SELECT purpose, subject FROM trusted_certificates WHERE thumbprint = @Thumbprint
                """;
            const string delete = """
                DELETE FROM trusted_certificates WHERE thumbprint = @Thumbprint
                """;
            var removed = await connection.QuerySingleOrDefaultAsync<(string Purpose, string Subject)?>(
                new CommandDefinition(sql, new { Thumbprint = thumbprint }, transaction, cancellationToken: cancellationToken));
            if (removed is not null
                && await connection.ExecuteAsync(new CommandDefinition(delete, new { Thumbprint = thumbprint }, transaction, cancellationToken: cancellationToken)) == 0)
            {
                removed = null;
            }
            return removed is not { } before
                ? (false, [], false)
                : (true, [new AuditEvent(now, AuditEventTypes.TrustRemoved, actor, AuditOutcome.Success, thumbprint,
                    $"before: trusted as {before.Purpose}; subject={before.Subject}; after: not trusted")], true);
        }, cancellationToken);
    }

    /// <summary>Every trusted certificate, by subject.</summary>
    public async Task<IReadOnlyList<TrustedCertificate>> ListAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT thumbprint, purpose, subject, not_after, der FROM trusted_certificates ORDER BY subject, thumbprint
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Thumbprint, string Purpose, string Subject, string NotAfter, byte[] Der)>(
            new CommandDefinition(sql, cancellationToken: cancellationToken));
        return rows.Select(row => new TrustedCertificate(
            row.Thumbprint, Enum.Parse<TrustPurpose>(row.Purpose), row.Subject, ReceiptSeal.ParseTimestamp(row.NotAfter), row.Der)).ToArray();
    }
}
