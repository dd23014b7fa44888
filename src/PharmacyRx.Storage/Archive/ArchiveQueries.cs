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
               (SELECT c.receipt_id FROM prescription_archive c
                WHERE c.cancels_receipt_id = a.receipt_id
                   -- a CancelRx that arrived first could not be linked then, but still cancels a NewRx it binds to: same
                   -- sender, prescriber and patient (the binding key; rows from before the key link as they did)
                   OR (c.transaction_kind = 'CancelRx' AND a.transaction_kind = 'NewRx' AND c.relates_to_message_id = a.message_id
                       AND c.reason_code = 'CancelTargetNotFound'
                       AND (c.cancel_binding = a.cancel_binding OR (c.cancel_binding IS NULL AND a.cancel_binding IS NULL)))
                ORDER BY c.received_at {dialect.FirstRows("1")}) AS cancelled_by_receipt_id
        FROM prescription_archive a
        LEFT JOIN verification_events v ON v.id = (SELECT MAX(e.id) FROM verification_events e WHERE e.receipt_id = a.receipt_id)
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

    /// <summary>A NewRx a CancelRx refers to: its receipt id, sender and as-received bytes, to check the binding against.</summary>
    public sealed record CancelTarget(Guid ReceiptId, string Source, byte[] AsReceived);

    /// <summary>
    /// The NewRx a CancelRx refers to, among its own sender's only (DESIGN.md, "Trust boundaries": another sender cannot
    /// pre-empt a cancellation by posting a NewRx under the MessageID it names): by RelatesToMessageID first, else by
    /// PrescriberOrderNumber (the newest such NewRx). Whether the CancelRx binds to it is the caller's to decide.
    /// </summary>
    public async Task<CancelTarget?> FindCancelTargetAsync(
        string relatesToMessageId, string prescriberOrderNumber, string source, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT receipt_id, source, as_received FROM prescription_archive
            WHERE transaction_kind = 'NewRx' AND source = @Source
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
