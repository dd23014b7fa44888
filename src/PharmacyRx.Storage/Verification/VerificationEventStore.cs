using System.Runtime.CompilerServices;
using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Verification;
using PharmacyRx.Storage.Archive;

namespace PharmacyRx.Storage.Verification;

/// <summary>
/// Status changes after receipt (a pending revocation check resolved, 1311.210(c)(2)): appended, sealed, and audited
/// in the same transaction. The archived row is never touched.
/// </summary>
public sealed class VerificationEventStore(Database database)
{
    /// <summary>A stored status change, with its seal.</summary>
    public sealed record StatusChange(
        long Id, string ReceiptId, string OccurredAt, string Status, string ReasonCode, string Reason, byte[] Seal, string SignerThumbprint);

    /// <summary>Records a record's new status with the pharmacy's seal over it, and audits the move.</summary>
    public Task RecordAsync(
        Guid receiptId, PrescriptionStatus previous, VerificationVerdict verdict, DateTimeOffset at, byte[] seal, string signerThumbprint,
        string actor, CancellationToken cancellationToken) =>
        database.AuditedAsync<bool>(async (connection, transaction) =>
        {
            const string sql = """
                INSERT INTO verification_events (receipt_id, occurred_at, status, reason_code, reason, seal, signer_thumbprint)
                VALUES (@ReceiptId, @OccurredAt, @Status, @ReasonCode, @Reason, @Seal, @SignerThumbprint)
                """;
            await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                ReceiptId = receiptId.ToString("D"),
                OccurredAt = ReceiptSeal.FormatTimestamp(at),
                Status = verdict.Status.ToString(),
                verdict.ReasonCode,
                verdict.Reason,
                Seal = seal,
                SignerThumbprint = signerThumbprint,
            }, transaction, cancellationToken: cancellationToken));
            return (true, [new AuditEvent(at, AuditEventTypes.VerificationStatusChanged, actor,
                verdict.Status.IsFailure() ? AuditOutcome.Failure : AuditOutcome.Success, receiptId.ToString("D"),
                $"before: status={previous}; after: status={verdict.Status}; reasonCode={verdict.ReasonCode}")], true);
        }, cancellationToken);

    /// <summary>
    /// Records whose current status is still <see cref="PrescriptionStatus.PendingRevocationCheck"/>, in receipt order,
    /// after the given one (keyset paging: pass the last of the previous page, or nothing for the first).
    /// </summary>
    public async Task<IReadOnlyList<ArchivedRecord>> PendingAsync(ArchivedRecord? after, int limit, CancellationToken cancellationToken)
    {
        var sql = ArchiveQueries.SelectRecord(database.Dialect) + $"""

            WHERE a.status = 'PendingRevocationCheck'
              AND NOT EXISTS (SELECT 1 FROM verification_events e WHERE e.receipt_id = a.receipt_id)
              AND (a.received_at > @AfterTime OR (a.received_at = @AfterTime AND a.receipt_id > @AfterId))
            ORDER BY a.received_at, a.receipt_id
            {database.Dialect.FirstRows("@Limit")}
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ArchivedRecord>(new CommandDefinition(
            sql, new { AfterTime = after?.ReceivedAt ?? "", AfterId = after?.ReceiptId ?? "", Limit = limit }, cancellationToken: cancellationToken))).ToArray();
    }

    /// <summary>One record's status changes after receipt, oldest first (the status history a pharmacist reads).</summary>
    public async Task<IReadOnlyList<StatusChange>> HistoryAsync(Guid receiptId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT id, receipt_id, occurred_at, status, reason_code, reason, seal, signer_thumbprint FROM verification_events
            WHERE receipt_id = @ReceiptId ORDER BY id
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<StatusChange>(new CommandDefinition(sql, new { ReceiptId = receiptId.ToString("D") },
            cancellationToken: cancellationToken))).ToArray();
    }

    /// <summary>Streams every status change in order, for verification.</summary>
    public async IAsyncEnumerable<StatusChange> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT id, receipt_id, occurred_at, status, reason_code, reason, seal, signer_thumbprint FROM verification_events ORDER BY id
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        await foreach (var change in connection.QueryUnbufferedAsync<StatusChange>(sql).WithCancellation(cancellationToken))
        {
            yield return change;
        }
    }

    /// <summary>The status changes with the given ids (the new rows a <c>verify --since-head</c> checks); ids not found are left out.</summary>
    public async IAsyncEnumerable<StatusChange> FindAsync(IAsyncEnumerable<string> ids, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT id, receipt_id, occurred_at, status, reason_code, reason, seal, signer_thumbprint FROM verification_events WHERE id = @Id
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        await foreach (var id in ids.WithCancellation(cancellationToken))
        {
            if (long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
                && await connection.QuerySingleOrDefaultAsync<StatusChange>(new CommandDefinition(sql, new { Id = number }, cancellationToken: cancellationToken)) is { } change)
            {
                yield return change;
            }
        }
    }
}
