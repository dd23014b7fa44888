using System.Globalization;
using Dapper;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Integrity;

namespace PharmacyRx.Storage.Prescriptions;

/// <summary>
/// What needs a pharmacist's action, grouped (needs review, pending revocation check, invalid, rejected, not yet
/// dispensed), each with its count and newest rows. A record leaves the queue only by a resolution the audit chain holds:
/// one planted in the database file counts for nothing (ConsoleQueueBrowserTests).
/// </summary>
public sealed class WorkQueueReader(Database database)
{
    /// <summary>
    /// The most "received and not yet dispensed" prescriptions the queue counts; past it the count reads "more than". Counting
    /// every open prescription of a busy month costs a probe of the dispensings a row, and the pharmacist needs the newest rows
    /// and a sense of size, not the exact figure (search counts exactly).
    /// </summary>
    public const int OpenCountCap = 1000;

    /// <summary>How far back "received and not yet dispensed" looks, for the console and the metrics alike.</summary>
    public static readonly TimeSpan OpenWindow = TimeSpan.FromDays(30);

    /// <summary>The groups, in the order the queue shows them.</summary>
    public static readonly IReadOnlyList<string> Groups = ["NeedsReview", "PendingRevocationCheck", "Invalid", "Rejected", "NotYetDispensed"];

    /// <summary>One row of the queue.</summary>
    public sealed record Entry
    {
        public string Group { get; init; } = "";
        public string ReceiptId { get; init; } = "";
        public string ReceivedAt { get; init; } = "";
        public string PatientName { get; init; } = "";
        public string DrugDescription { get; init; } = "";
        public string DeaSchedule { get; init; } = "";
        public string PrescriberName { get; init; } = "";
        public string Status { get; init; } = "";
        public string? TransactionKind { get; init; }
        public long GroupCount { get; init; }

        /// <summary>
        /// The oldest receipt time in the row's group: of its records needing attention, and for NotYetDispensed also of
        /// every open prescription in the window (<see cref="OldestOpen"/>). What the monitoring's oldest-age figures read.
        /// </summary>
        public string OldestInGroup { get; init; } = "";

        /// <summary>NotYetDispensed only: the oldest open prescription's receipt time in the window, found down the received_at index.</summary>
        public string? OldestOpen { get; init; }

        /// <summary>1 for a CancelRx that came before its NewRx and has since cancelled it (ArchiveQueries' link).</summary>
        public long CancelledBeforeArrival { get; init; }

        /// <summary>The pharmacy's prescription number; null for a record that is not a prescription (a CancelRx, a rejected message).</summary>
        public long? PrescriptionNumber { get; init; }

        /// <summary>Why the record has its status, in words: the newest status change's reason, else the one on receipt.</summary>
        public string Reason { get; init; } = "";

        public string ReasonCode { get; init; } = "";
    }

    /// <summary>
    /// The queue: per group its count and at most <paramref name="perGroup"/> newest rows. The NotYetDispensed count stops at
    /// <paramref name="countCap"/> + 1, which reads "more than" the cap.
    /// </summary>
    public async Task<IReadOnlyList<Entry>> ReadAsync(DateTimeOffset openSince, int perGroup, CancellationToken cancellationToken, int countCap = OpenCountCap)
    {
        var sql = Statement(database.Dialect);
        await using var connection = await database.OpenAsync(cancellationToken);
        var ignored = await UnprovenResolutionsAsync(connection, cancellationToken);
        return (await connection.QueryAsync<Entry>(new CommandDefinition(sql,
            new { Since = Core.Receiving.ReceiptSeal.FormatTimestamp(openSince), PerGroup = perGroup, CountCap = countCap + 1, Ignored = ignored },
            cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>
    /// The resolutions the audit chain does not hold (1311.215(a)(2)): written with SQL behind the service's back, they
    /// resolve nothing. One check a resolution, each proof kept for the process (<see cref="CoverageCheck.IsCoveredAsync"/>).
    /// </summary>
    private static async Task<string> UnprovenResolutionsAsync(System.Data.Common.DbConnection connection, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT id FROM annotations WHERE annotation_type = 'Resolution'
            """;
        var table = CoveredTables.Find("annotations")!;
        var unproven = new List<string>();
        foreach (var id in (await connection.QueryAsync<long>(new CommandDefinition(sql, cancellationToken: cancellationToken))).ToArray())
        {
            var key = id.ToString(CultureInfo.InvariantCulture);
            if (!await CoverageCheck.IsCoveredAsync(connection, null, table, key, cancellationToken))
            {
                unproven.Add(key);
            }
        }
        return $"|{string.Join('|', unproven)}|";
    }

    /// <summary>
    /// The queue's one statement, with the parameters <c>@Since</c>, <c>@PerGroup</c>, <c>@CountCap</c> and <c>@Ignored</c>
    /// (the ids of the resolutions the chain does not hold, as <c>|12|40|</c>; <c>||</c> for none).
    /// </summary>
    internal static string Statement(ISqlDialect dialect)
    {
        // Full records (with their correlated subqueries) only for the few rows whose group the cheap predicates cannot
        // settle, and for the rows shown. `unsettled`: every record whose status needs attention (the partial index's
        // WHERE, word for word: 0025_index_archive_for_queue.sql) or has changed, every prescription a later row may cancel (a
        // superset: ArchiveQueries decides) or a Void or TransferOut may have ended (0026's partial index). Any
        // other open prescription of the window is NotYetDispensed: `open_rx`, counted from indexes alone, of which
        // only the newest @PerGroup get a full record. Flags as 1/0 so SQL Server runs the same statement. The few ended or
        // cancelled receipts look up their prescription (EXISTS), never the other way round: SQLite 3.53 otherwise scans
        // every prescription to join them (400 ms at 2,000,000; `bench scale queue` prints the plan).
        return $"""
            WITH unsettled (receipt_id) AS (
              SELECT receipt_id FROM prescription_archive WHERE status IN ('NeedsPharmacistReview', 'PendingRevocationCheck', 'Invalid', 'Rejected')
              UNION SELECT receipt_id FROM verification_events
              UNION SELECT x.receipt_id FROM (
                      SELECT cancels_receipt_id AS receipt_id FROM prescription_archive WHERE cancels_receipt_id IS NOT NULL
                      UNION SELECT t.receipt_id FROM prescription_archive c JOIN prescription_archive t ON t.message_id = c.relates_to_message_id
                            WHERE c.relates_to_message_id IS NOT NULL AND c.transaction_kind = 'CancelRx'
                      UNION SELECT receipt_id FROM annotations WHERE annotation_type IN ('Void', 'TransferOut')) x
                    WHERE EXISTS (SELECT 1 FROM prescriptions p WHERE p.receipt_id = x.receipt_id)),
            open_rx (receipt_id, received_at) AS (
              SELECT p.receipt_id, p.received_at FROM prescriptions p
              WHERE p.received_at >= @Since AND NOT EXISTS (SELECT 1 FROM dispensings d WHERE d.receipt_id = p.receipt_id)
                AND p.receipt_id NOT IN (SELECT receipt_id FROM unsettled)),
            newest_open (receipt_id) AS (
              SELECT receipt_id FROM open_rx ORDER BY received_at DESC, receipt_id {dialect.FirstRows("@PerGroup")}),
            queue_rows AS (
              SELECT r.receipt_id, r.received_at, r.patient_name, r.drug_description, r.dea_schedule, r.prescriber_name, r.transaction_kind,
                     COALESCE(r.changed_status, r.status) AS status, r.cancelled_by_receipt_id,
                     CASE WHEN r.receipt_id IN (SELECT receipt_id FROM unsettled) THEN 1 ELSE 0 END AS unsettled,
                     CASE WHEN EXISTS (SELECT 1 FROM annotations n WHERE n.receipt_id = r.receipt_id AND n.annotation_type = 'PharmacistReview') THEN 1 ELSE 0 END AS reviewed,
                     CASE WHEN EXISTS (SELECT 1 FROM annotations n WHERE n.receipt_id = r.receipt_id AND n.annotation_type IN ('Void', 'TransferOut')) THEN 1 ELSE 0 END AS ended,
                     CASE WHEN EXISTS (SELECT 1 FROM dispensings d WHERE d.receipt_id = r.receipt_id) THEN 1 ELSE 0 END AS dispensed,
                     CASE WHEN r.transaction_kind = 'CancelRx' AND r.reason_code = 'CancelTargetNotFound' AND EXISTS (
                            SELECT 1 FROM prescription_archive t WHERE t.message_id = r.relates_to_message_id AND t.transaction_kind = 'NewRx'
                              AND t.cancel_binding = r.cancel_binding) THEN 1 ELSE 0 END AS cancelled_before_arrival,
                     CASE WHEN EXISTS (SELECT 1 FROM annotations n WHERE n.receipt_id = r.receipt_id AND n.annotation_type = 'Resolution'
                                         AND @Ignored NOT LIKE concat('%|', n.id, '|%')) THEN 1 ELSE 0 END AS resolved,
                     (SELECT p.prescription_number FROM prescriptions p WHERE p.receipt_id = r.receipt_id) AS prescription_number,
                     COALESCE(r.changed_reason, r.reason) AS reason, COALESCE(r.changed_reason_code, r.reason_code) AS reason_code
              FROM ({ArchiveQueries.SelectRecord(dialect)}
                    WHERE a.receipt_id IN (SELECT receipt_id FROM unsettled) OR a.receipt_id IN (SELECT receipt_id FROM newest_open)) r),
            grouped AS (
              SELECT c.*, CASE
                       WHEN c.status = 'NeedsPharmacistReview' AND c.reviewed = 0 THEN 'NeedsReview'
                       WHEN c.status = 'PendingRevocationCheck' OR (c.status IN ('Invalid', 'Rejected') AND c.resolved = 0) THEN c.status
                       WHEN c.transaction_kind IN ('NewRx', 'RxRenewalResponse', 'RxChangeResponse')
                            AND EXISTS (SELECT 1 FROM prescriptions p WHERE p.receipt_id = c.receipt_id) AND c.dispensed = 0 AND c.ended = 0 AND c.cancelled_by_receipt_id IS NULL
                            AND c.received_at >= @Since THEN 'NotYetDispensed'
                     END AS grp
              FROM queue_rows c),
            ranked AS (
              SELECT g.*, SUM(g.unsettled) OVER (PARTITION BY g.grp)
                            + CASE WHEN g.grp = 'NotYetDispensed' THEN (SELECT COUNT(*) FROM (SELECT receipt_id FROM open_rx
                                ORDER BY received_at DESC, receipt_id {dialect.FirstRows("@CountCap")}) newest) ELSE 0 END AS group_count,
                     ROW_NUMBER() OVER (PARTITION BY g.grp ORDER BY g.received_at DESC, g.receipt_id) AS position,
                     MIN(g.received_at) OVER (PARTITION BY g.grp) AS oldest_in_group,
                     CASE WHEN g.grp = 'NotYetDispensed' THEN (SELECT received_at FROM (SELECT received_at, receipt_id FROM open_rx
                                ORDER BY received_at, receipt_id {dialect.FirstRows("1")}) oldest) END AS oldest_open
              FROM grouped g WHERE g.grp IS NOT NULL)
            SELECT grp AS "Group", receipt_id, received_at, patient_name, drug_description, dea_schedule, prescriber_name, status,
                   transaction_kind, group_count, cancelled_before_arrival, oldest_in_group, oldest_open, prescription_number, reason, reason_code
            FROM ranked WHERE position <= @PerGroup
            ORDER BY grp, received_at DESC, receipt_id
            """;
    }
}
