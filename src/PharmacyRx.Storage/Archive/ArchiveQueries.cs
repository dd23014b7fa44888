using System.Runtime.CompilerServices;
using Dapper;

namespace PharmacyRx.Storage.Archive;

/// <summary>Reads the archive. Every query is parameterised; nothing here writes.</summary>
public sealed class ArchiveQueries(Database database)
{
    /// <summary>A record with what later rows say about it: its cancellation and its newest status change.</summary>
    internal static string SelectRecord(ISqlDialect dialect) => $"""
        SELECT a.*,
               v.status AS changed_status, v.reason_code AS changed_reason_code, v.reason AS changed_reason, v.occurred_at AS status_changed_at,
               {CancelledBy(dialect)} AS cancelled_by_receipt_id
        FROM prescription_archive a
        LEFT JOIN verification_events v ON v.id = (SELECT MAX(e.id) FROM verification_events e WHERE e.receipt_id = a.receipt_id)
        """;

    /// <summary>
    /// "Cancelled by" of the archive row <c>a</c>, as a scalar subquery: the receipt id of the CancelRx or approved change
    /// that ends it. Its one definition, read by <see cref="SelectRecord"/> and by search for a page's rows.
    /// </summary>
    internal static string CancelledBy(ISqlDialect dialect) => $"""
        (SELECT c.receipt_id FROM prescription_archive c
                WHERE c.cancels_receipt_id = a.receipt_id
                   -- a CancelRx that arrived first could not be linked then, but still cancels a NewRx it binds to: same
                   -- sender, prescriber and patient (the binding key; rows from before the key link as they did)
                   OR (c.transaction_kind = 'CancelRx' AND a.transaction_kind = 'NewRx' AND c.relates_to_message_id = a.message_id
                       AND c.reason_code = 'CancelTargetNotFound'
                       AND (c.cancel_binding = a.cancel_binding OR (c.cancel_binding IS NULL AND a.cancel_binding IS NULL)))
                ORDER BY c.received_at {dialect.FirstRows("1")})
        """;

    /// <summary>Finds a record by receipt id, or else by MessageID.</summary>
    public async Task<ArchivedRecord?> FindAsync(string receiptIdOrMessageId, CancellationToken cancellationToken)
    {
        var sql = SelectRecord(database.Dialect) + $"""

            WHERE a.receipt_id = @Id OR a.message_id = @Id
            ORDER BY CASE WHEN a.receipt_id = @Id THEN 0 ELSE 1 END, a.received_at
            {database.Dialect.FirstRows("1")}
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ArchivedRecord>(
            new CommandDefinition(sql, new { Id = receiptIdOrMessageId }, cancellationToken: cancellationToken));
    }

    /// <summary>A prescription a CancelRx or an approved change refers to: its receipt id, sender and as-received bytes, to check the binding against.</summary>
    public sealed record CancelTarget(Guid ReceiptId, string Source, byte[] AsReceived);

    /// <summary>
    /// The prescription a CancelRx or an answer refers to (a NewRx, or an approved renewal or change, which have a search
    /// row), among its own sender's only (DESIGN.md, "Trust boundaries": another sender cannot pre-empt a cancellation or a
    /// change by posting a prescription under the MessageID it names): by RelatesToMessageID first, else by
    /// PrescriberOrderNumber (the newest such prescription). A record whose current status is a failure (an altered copy,
    /// Invalid) is never the target: taking it would leave the prescription it copies dispensable beside the change, a
    /// double fill (AnswerTransactionsTests, the signed change). Whether the message binds to it is the caller's to decide.
    /// </summary>
    public async Task<CancelTarget?> FindCancelTargetAsync(
        string relatesToMessageId, string prescriberOrderNumber, string source, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT receipt_id, source, as_received FROM prescription_archive
            WHERE transaction_kind IN ('NewRx', 'RxRenewalResponse', 'RxChangeResponse') AND source = @Source
              AND EXISTS (SELECT 1 FROM prescriptions p WHERE p.receipt_id = prescription_archive.receipt_id)
              AND COALESCE((SELECT v.status FROM verification_events v
                            WHERE v.id = (SELECT MAX(e.id) FROM verification_events e WHERE e.receipt_id = prescription_archive.receipt_id)),
                           prescription_archive.status) NOT IN ('Invalid', 'Rejected')
              AND ((@RelatesTo <> '' AND message_id = @RelatesTo)
                OR (@OrderNumber <> '' AND prescriber_order_number = @OrderNumber))
            ORDER BY CASE WHEN message_id = @RelatesTo THEN 0 ELSE 1 END, received_at DESC
            {database.Dialect.FirstRows("1")}
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string ReceiptId, string Source, byte[] AsReceived)?>(new CommandDefinition(
            sql, new { RelatesTo = relatesToMessageId, OrderNumber = prescriberOrderNumber, Source = source }, cancellationToken: cancellationToken));
        return row is { } found ? new CancelTarget(Guid.Parse(found.ReceiptId), found.Source, found.AsReceived) : null;
    }

    /// <summary>One message of a prescription's conversation, with its bytes so the caller can name its transaction.</summary>
    public sealed record ConversationMessage(
        string ReceiptId, string ReceivedAt, string? TransactionKind, string Status, string? MessageId, string? CancelsReceiptId, byte[] AsReceived);

    /// <summary>
    /// The other messages of <paramref name="record"/>'s conversation, in receipt order: from the same sender, those that
    /// answer it or that it answers (RelatesToMessageID to a MessageID, either way), those under the same
    /// PrescriberOrderNumber, and what it cancels or replaces and what cancels or replaces it. Linked when they are read,
    /// so an answer that arrived before its prescription is linked too; the as-received rows never change.
    /// </summary>
    public async Task<IReadOnlyList<ConversationMessage>> ConversationAsync(ArchivedRecord record, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT receipt_id, received_at, transaction_kind, status, message_id, cancels_receipt_id, as_received FROM prescription_archive
            WHERE receipt_id <> @ReceiptId AND source = @Source
              AND (cancels_receipt_id = @ReceiptId OR receipt_id = @Cancels OR receipt_id = @CancelledBy
                OR (@MessageId <> '' AND relates_to_message_id = @MessageId)
                OR (@RelatesTo <> '' AND message_id = @RelatesTo)
                OR (@OrderNumber <> '' AND prescriber_order_number = @OrderNumber))
            ORDER BY received_at, receipt_id
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ConversationMessage>(new CommandDefinition(sql, new
        {
            record.ReceiptId,
            record.Source,
            Cancels = record.CancelsReceiptId ?? "",
            CancelledBy = record.CancelledByReceiptId ?? "",
            MessageId = record.MessageId ?? "",
            RelatesTo = record.RelatesToMessageId ?? "",
            OrderNumber = record.PrescriberOrderNumber ?? "",
        }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Streams every record in receipt order, for verification and export.</summary>
    public async IAsyncEnumerable<ArchivedRecord> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sql = SelectRecord(database.Dialect) + """

            ORDER BY a.received_at, a.receipt_id
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        await foreach (var record in connection.QueryUnbufferedAsync<ArchivedRecord>(sql).WithCancellation(cancellationToken))
        {
            yield return record;
        }
    }

    /// <summary>
    /// Streams every record as stored (the archive's own order: no sort, so no temporary copy of the archive), without what
    /// later records say about it: what <c>verify</c> re-checks against the receipt seal.
    /// </summary>
    public async IAsyncEnumerable<ArchivedRecord> ReadAsReceivedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT * FROM prescription_archive
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        await foreach (var record in connection.QueryUnbufferedAsync<ArchivedRecord>(sql).WithCancellation(cancellationToken))
        {
            yield return record;
        }
    }

    /// <summary>The records with the given receipt ids, as stored (the new rows a <c>verify --since-head</c> checks); ids not found are left out.</summary>
    public async IAsyncEnumerable<ArchivedRecord> ReadAsReceivedAsync(IAsyncEnumerable<string> receiptIds, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT * FROM prescription_archive WHERE receipt_id = @Id
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        await foreach (var id in receiptIds.WithCancellation(cancellationToken))
        {
            if (await connection.QuerySingleOrDefaultAsync<ArchivedRecord>(new CommandDefinition(sql, new { Id = id }, cancellationToken: cancellationToken)) is { } record)
            {
                yield return record;
            }
        }
    }

    /// <summary>How many records the archive holds.</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT COUNT(*) FROM prescription_archive
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, cancellationToken: cancellationToken));
    }

    /// <summary>When the oldest record the archive still holds was received (1311.205(b)(18)); null for an empty archive.</summary>
    public async Task<string?> OldestReceivedAtAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT MIN(received_at) FROM prescription_archive
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(sql, cancellationToken: cancellationToken));
    }
}
