using System.Text.Json;
using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage.Dispensing;

public sealed partial class PharmacyWorkStore
{
    public const string NotResolvable = "NotResolvable";

    /// <summary>
    /// Resolves an Invalid or Rejected record with the pharmacist's reason (1311.215(a)): a <see cref="AnnotationType.Resolution"/>
    /// appended and audited like every annotation, so the record leaves the queue. The record stays Invalid or Rejected and
    /// never becomes dispensable: <see cref="DispensingRules"/> reads no resolution. Any other status is refused: it leaves
    /// the queue by review, dispensing, void or transfer.
    /// </summary>
    public async Task<AppendResult> ResolveAsync(Guid receiptId, string reason, string actor, CancellationToken cancellationToken)
    {
        var fields = new Dictionary<string, string> { ["reason"] = reason.Trim() };
        if (AnnotationRules.Refusal(AnnotationType.Resolution, fields) is { } refusal)
        {
            return new AppendResult(null, "InvalidAnnotation", refusal);
        }
        var now = clock.GetUtcNow();
        return await database.AuditedAsync<AppendResult>(async (connection, transaction) =>
        {
            // The current status: the newest status change's, else the one on receipt (ArchiveQueries.SelectRecord).
            const string status = """
                SELECT COALESCE((SELECT v.status FROM verification_events v
                                 WHERE v.id = (SELECT MAX(e.id) FROM verification_events e WHERE e.receipt_id = a.receipt_id)), a.status)
                FROM prescription_archive a WHERE a.receipt_id = @ReceiptId
                """;
            var current = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(status, new { ReceiptId = receiptId.ToString("D") }, transaction,
                cancellationToken: cancellationToken));
            if (current is null)
            {
                return (new AppendResult(null, NotFound, $"no prescription {receiptId:D}"), [], false);
            }
            if (current is not (nameof(PrescriptionStatus.Invalid) or nameof(PrescriptionStatus.Rejected)))
            {
                return (new AppendResult(null, NotResolvable,
                        $"only an Invalid or Rejected record is resolved; this one is {current}, and leaves the queue by review (1311.205(b)(6)(ii)), dispensing, void or transfer"),
                    [new AuditEvent(now, AuditEventTypes.AnnotationAdded, actor, AuditOutcome.Failure, receiptId.ToString("D"), $"refused: {NotResolvable}; status {current}")],
                    true);
            }
            var sql = $"""
                INSERT INTO annotations (receipt_id, annotation_type, fields, created_at, created_by)
                VALUES (@ReceiptId, @Type, @Fields, @CreatedAt, @CreatedBy);
                {database.Dialect.SelectInsertedId}
                """;
            var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new
            {
                ReceiptId = receiptId.ToString("D"),
                Type = nameof(AnnotationType.Resolution),
                Fields = JsonSerializer.Serialize(fields),
                CreatedAt = ReceiptSeal.FormatTimestamp(now),
                CreatedBy = actor,
            }, transaction, cancellationToken: cancellationToken));
            // The details as every annotation's, so the dispensing rules' count of recorded work finds it (MissingWorkAsync).
            return (new AppendResult(id, "", ""),
                [new AuditEvent(now, AuditEventTypes.AnnotationAdded, actor, AuditOutcome.Success, receiptId.ToString("D"),
                    $"annotation {id}: {nameof(AnnotationType.Resolution)}; fields=reason; status stays {current}")], true);
        }, cancellationToken);
    }
}
