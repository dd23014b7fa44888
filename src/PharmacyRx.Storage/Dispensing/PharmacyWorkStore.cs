using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Integrity;

namespace PharmacyRx.Storage.Dispensing;

/// <summary>
/// Annotations and dispensings (1311.200(f), 1311.205(b)(10)), appended beside the as-received record with who and
/// when, each audited in its own transaction. <see cref="DispensingRules"/> decide in that transaction (one taker per
/// refill) on facts the audit chain holds, never the derived row; what the chain does not hold is ignored and audited.
/// </summary>
public sealed partial class PharmacyWorkStore(Database database, PharmacyClock clock, ScriptMessageReader reader, DispensingOptions options)
{
    /// <summary>An annotation as stored.</summary>
    public sealed record Annotation(long Id, string ReceiptId, string Type, IReadOnlyDictionary<string, string> Fields, string CreatedAt, string CreatedBy);

    /// <summary>A dispensing as stored.</summary>
    public sealed record Dispensing
    {
        public long Id { get; init; }
        public string ReceiptId { get; init; } = "";
        public string Quantity { get; init; } = "";
        public string QuantityUnit { get; init; } = "";
        public string DateDispensed { get; init; } = "";
        public string Dispenser { get; init; } = "";
        public int RefillNumber { get; init; }
        public string RecordedAt { get; init; } = "";
        public string RecordedBy { get; init; } = "";

        /// <summary>Why the entry was made late, when it was.</summary>
        public string? Reason { get; init; }
    }

    /// <summary>The outcome of an append: the new row's id, or why nothing was appended.</summary>
    public sealed record AppendResult(long? Id, string Code, string Reason, int RefillNumber = 0)
    {
        public bool Appended => Id is not null;
    }

    public const string NotFound = "NotFound";

    public async Task<AppendResult> AnnotateAsync(
        Guid receiptId, AnnotationType type, IReadOnlyDictionary<string, string> fields, string actor, CancellationToken cancellationToken)
    {
        if (AnnotationRules.Refusal(type, fields) is { } refusal)
        {
            return new AppendResult(null, "InvalidAnnotation", refusal);
        }
        var now = clock.GetUtcNow();
        return await database.AuditedAsync<AppendResult>(async (connection, transaction) =>
        {
            if (!await ExistsAsync(connection, transaction, receiptId, cancellationToken))
            {
                return (new AppendResult(null, NotFound, $"no prescription {receiptId:D}"), [], false);
            }
            var id = await InsertAnnotationAsync(connection, transaction, receiptId, type, fields, now, actor, cancellationToken);
            return (new AppendResult(id, "", ""), [AnnotationAdded(now, actor, receiptId, id, type, fields)], true);
        }, cancellationToken);
    }

    /// <summary>The field of a <see cref="AnnotationType.PartialFill"/> that says why (<see cref="PartialFillBasis"/>); written by a dispensing only.</summary>
    public const string PartialFillBasisField = "basis";

    private static async Task<long> InsertAnnotationAsync(DbConnection connection, DbTransaction transaction, Guid receiptId, AnnotationType type,
        IReadOnlyDictionary<string, string> fields, DateTimeOffset now, string actor, CancellationToken cancellationToken)
    {
        var sql = $"""
            INSERT INTO annotations (receipt_id, annotation_type, fields, created_at, created_by)
            VALUES (@ReceiptId, @Type, @Fields, @CreatedAt, @CreatedBy);
            {Database.DialectOf(connection).SelectInsertedId}
            """;
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new
        {
            ReceiptId = receiptId.ToString("D"),
            Type = type.ToString(),
            Fields = JsonSerializer.Serialize(fields),
            CreatedAt = ReceiptSeal.FormatTimestamp(now),
            CreatedBy = actor,
        }, transaction, cancellationToken: cancellationToken));
    }

    // Field names only: values may be prescription information.
    private static AuditEvent AnnotationAdded(DateTimeOffset now, string actor, Guid receiptId, long id, AnnotationType type, IReadOnlyDictionary<string, string> fields) =>
        new(now, AuditEventTypes.AnnotationAdded, actor, AuditOutcome.Success, receiptId.ToString("D"), $"annotation {id}: {type}; fields={string.Join(',', fields.Keys)}");

    public async Task<AppendResult> DispenseAsync(Guid receiptId, DispensingRules.Request request, string actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await database.AuditedAsync<AppendResult>(async (connection, transaction) =>
        {
            if (await FactsAsync(connection, transaction, receiptId, reader, now, cancellationToken) is not { } facts)
            {
                return (new AppendResult(null, NotFound, $"no prescription {receiptId:D}"), [], false);
            }
            var prior = (await VerifiedAsync(connection, transaction, "dispensings", await DispensingsAsync(connection, transaction, receiptId, cancellationToken),
                    d => d.Id, facts.Ignored, now, cancellationToken))
                .Select(d => new DispensingRules.PriorFill(ParseQuantity(d.Quantity) ?? 0, ParseDate(d.DateDispensed) ?? DateOnly.MinValue))
                .ToArray();
            var decision = DispensingRules.Decide(facts.Rules, prior, request, clock.ToLocalDate(now), options);
            if (!decision.Allowed)
            {
                return (new AppendResult(null, decision.Code, decision.Reason),
                    [.. facts.Ignored, new AuditEvent(now, AuditEventTypes.DispensingRefused, actor, AuditOutcome.Failure, receiptId.ToString("D"), $"refused: {decision.Code}")],
                    true);
            }
            var sql = $"""
                INSERT INTO dispensings (receipt_id, quantity, quantity_unit, date_dispensed, dispenser, refill_number, recorded_at, recorded_by, reason)
                VALUES (@ReceiptId, @Quantity, @Unit, @DateDispensed, @Dispenser, @RefillNumber, @RecordedAt, @RecordedBy, @Reason);
                {database.Dialect.SelectInsertedId}
                """;
            var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new
            {
                ReceiptId = receiptId.ToString("D"),
                Quantity = request.Quantity.ToString(CultureInfo.InvariantCulture),
                Unit = facts.QuantityUnit,
                DateDispensed = request.DateDispensed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                Dispenser = request.Dispenser.Trim(),
                decision.RefillNumber,
                RecordedAt = ReceiptSeal.FormatTimestamp(now),
                RecordedBy = actor,
                Reason = string.IsNullOrWhiteSpace(request.Reason) ? null : request.Reason.Trim(),
            }, transaction, cancellationToken: cancellationToken));
            List<AuditEvent> events = [.. facts.Ignored, new AuditEvent(now, AuditEventTypes.PrescriptionDispensed, actor, AuditOutcome.Success, receiptId.ToString("D"),
                $"dispensing {id}; refill number {decision.RefillNumber}{(string.IsNullOrWhiteSpace(request.Reason) ? "" : "; late entry with a reason")}")];
            if (request.Partial != PartialFillBasis.None)
            {
                // 1306.13(a), 21 U.S.C. 829(f): the partial fill, what remains and why, beside the dispensing and in its
                // transaction; the basis is written only here, so only a dispenser decides which window the remainder has.
                var remaining = DispensingRules.Remaining(facts.Rules, [.. prior, new DispensingRules.PriorFill(request.Quantity, request.DateDispensed)])!.Remaining;
                var fields = new Dictionary<string, string>
                {
                    ["quantityDispensed"] = request.Quantity.ToString(CultureInfo.InvariantCulture),
                    ["quantityRemaining"] = remaining.ToString(CultureInfo.InvariantCulture),
                    [PartialFillBasisField] = request.Partial.ToString(),
                };
                var annotation = await InsertAnnotationAsync(connection, transaction, receiptId, AnnotationType.PartialFill, fields, now, actor, cancellationToken);
                events.Add(AnnotationAdded(now, actor, receiptId, annotation, AnnotationType.PartialFill, fields));
            }
            return (new AppendResult(id, "", "", decision.RefillNumber), events, true);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<Annotation>> AnnotationsAsync(Guid receiptId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await AnnotationsAsync(connection, null, receiptId, cancellationToken);
    }

    public async Task<IReadOnlyList<Dispensing>> DispensingsAsync(Guid receiptId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await DispensingsAsync(connection, null, receiptId, cancellationToken);
    }

    /// <summary>The dispensing rules' view of a prescription, with its quantity unit; null when there is no such record.</summary>
    public async Task<(PrescriptionFacts Rules, string QuantityUnit)?> FactsAsync(Guid receiptId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await FactsAsync(connection, null, receiptId, reader, clock.GetUtcNow(), cancellationToken) is { } facts ? (facts.Rules, facts.QuantityUnit) : null;
    }

    /// <summary>
    /// A prescription's standing for the console: what stops dispensing (<see cref="DispensingRules.Blocker"/>), and what
    /// remains and by when (<see cref="DispensingRules.Remaining"/>), over the fills the audit chain holds.
    /// </summary>
    public sealed record Standing(PrescriptionFacts Rules, string QuantityUnit, DispensingRules.Decision? Blocker, DispensingRemainder? Remainder);

    public async Task<Standing?> StandingAsync(Guid receiptId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = clock.GetUtcNow();
        if (await FactsAsync(connection, null, receiptId, reader, now, cancellationToken) is not { } facts)
        {
            return null;
        }
        var prior = (await VerifiedAsync(connection, null, "dispensings", await DispensingsAsync(connection, null, receiptId, cancellationToken), d => d.Id, [], now,
                cancellationToken))
            .Select(d => new DispensingRules.PriorFill(ParseQuantity(d.Quantity) ?? 0, ParseDate(d.DateDispensed) ?? DateOnly.MinValue))
            .ToArray();
        return new Standing(facts.Rules, facts.QuantityUnit, DispensingRules.Blocker(facts.Rules), DispensingRules.Remaining(facts.Rules, prior));
    }

    /// <summary>Whether the prescription is open for dispensing as things stand (<see cref="DispensingRules.Blocker"/>).</summary>
    public async Task<bool> IsDispensableAsync(Guid receiptId, CancellationToken cancellationToken) =>
        await FactsAsync(receiptId, cancellationToken) is { } facts && DispensingRules.Blocker(facts.Rules) is null;

    private sealed record Facts(PrescriptionFacts Rules, string QuantityUnit, List<AuditEvent> Ignored);

    private async Task<Facts?> FactsAsync(
        DbConnection connection, DbTransaction? transaction, Guid receiptId, ScriptMessageReader reader, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sql = ArchiveQueries.SelectRecord(Database.DialectOf(connection)) + """

            WHERE a.receipt_id = @ReceiptId
            """;
        var record = await connection.QuerySingleOrDefaultAsync<ArchivedRecord>(
            new CommandDefinition(sql, new { ReceiptId = receiptId.ToString("D") }, transaction, cancellationToken: cancellationToken));
        if (record is null)
        {
            return null;
        }
        var ignored = new List<AuditEvent>();
        // What was prescribed is read from the bytes as received, whose hash the archive row holds and the audit chain
        // recorded; the derived prescriptions row (search keys) is never a source for a decision.
        string? unverified = null;
        if (Convert.ToHexStringLower(SHA256.HashData(record.AsReceived)) != record.AsReceivedSha256)
        {
            unverified = "its as-received bytes do not match their SHA-256";
        }
        else if (!await CoverageCheck.IsCoveredAsync(connection, transaction, CoveredTables.Find("prescription_archive")!, record.ReceiptId, cancellationToken))
        {
            unverified = "the archived record does not match the audit chain";
        }
        if (unverified is not null)
        {
            ignored.Add(Ignored(now, "prescription_archive", record.ReceiptId, receiptId));
        }
        else if (record.ChangedStatus is not null && await LatestStatusChangeAsync(connection, transaction, receiptId, cancellationToken) is { } change
            && !await CoverageCheck.IsCoveredAsync(connection, transaction, CoveredTables.Find("verification_events")!, change, cancellationToken))
        {
            // The current status comes from the newest status change: one the chain does not hold decides nothing.
            unverified = "its latest status change does not match the audit chain";
            ignored.Add(Ignored(now, "verification_events", change, receiptId));
        }
        if (unverified is null && await MissingWorkAsync(connection, transaction, receiptId, cancellationToken) is > 0 and var missing)
        {
            // An annotation (a void, a transfer) or a fill the chain recorded is gone from its table: deleted with SQL.
            unverified = $"{missing} annotation(s) or dispensing(s) the audit chain recorded are missing from their tables";
            ignored.Add(new AuditEvent(now, AuditEventTypes.CoverageMismatch, CoverageActor, AuditOutcome.Failure, $"prescription_archive:{receiptId:D}",
                $"{missing} annotation or dispensing rows the audit chain recorded for receipt {receiptId:D} are missing: the dispensing rules refused to rely on the record"));
        }
        // A record archived as a prescription was read on receipt; one from before a repeated element was refused was read
        // with the first occurrence standing, and is read so again (a newer one has no repeated element).
        var message = record.TransactionKind is nameof(TransactionKind.NewRx) or nameof(TransactionKind.RxRenewalResponse) or nameof(TransactionKind.RxChangeResponse)
            ? reader.ReadAsFirstOccurrenceWins(record.AsReceived).Message
            : null;
        var elements = message?.Elements ?? new DeaElements();
        var annotations = await VerifiedAsync(connection, transaction, "annotations", await AnnotationsAsync(connection, transaction, receiptId, cancellationToken),
            a => a.Id, ignored, now, cancellationToken);
        bool Has(AnnotationType type) => annotations.Any(a => a.Type == type.ToString());
        var rules = new PrescriptionFacts
        {
            // An approved renewal or change is a prescription held to the same rules as a NewRx (a CII's: no refills, 1306.12(a)).
            IsPrescription = message.IsPrescription(),
            CurrentStatus = Enum.Parse<PrescriptionStatus>(record.CurrentStatus),
            Schedule = elements.Schedule,
            QuantityPrescribed = ParseQuantity(elements.QuantityValue),
            RefillsAuthorized = int.TryParse(elements.NumberOfRefills, NumberStyles.None, CultureInfo.InvariantCulture, out var refills) ? refills : 0,
            WrittenDate = ParseDate(elements.WrittenDate),
            EarliestFillDate = ParseDate(elements.EarliestFillDate),
            // 1304.22(c), 1306.22: dates a person enters are the pharmacy's days, so receipt is compared as the pharmacy's day too.
            ReceivedDate = ReceiptSeal.TryParseTimestamp(record.ReceivedAt, out var receivedAt) ? clock.ToLocalDate(receivedAt) : null,
            Unverified = unverified,
            // A CancelRx row the chain does not hold (planted in the file) cancels nothing.
            Cancelled = (record.CancelledByReceiptId is { } cancelRx
                    && await CoverageCheck.IsCoveredAsync(connection, transaction, CoveredTables.Find("prescription_archive")!, cancelRx, cancellationToken))
                || await CancelledInChainAsync(connection, transaction, receiptId, cancellationToken),
            Voided = Has(AnnotationType.Void),
            TransferredOut = Has(AnnotationType.TransferOut),
            Reviewed = Has(AnnotationType.PharmacistReview),
            PartialFillRequested = annotations.Any(a => a.Type == nameof(AnnotationType.PartialFill)
                && a.Fields.GetValueOrDefault(PartialFillBasisField) == nameof(PartialFillBasis.RequestedByPatientOrPrescriber)),
            AdditionalRefillsAuthorized = annotations
                .Where(a => a.Type == nameof(AnnotationType.RefillAuthorization))
                .Sum(a => int.TryParse(a.Fields.GetValueOrDefault("additionalRefills"), NumberStyles.None, CultureInfo.InvariantCulture, out var more) ? more : 0),
        };
        return new Facts(rules, elements.QuantityUnit, ignored);
    }

    /// <summary>
    /// How many annotations and dispensings the audit chain recorded for this prescription are no longer in their tables
    /// (1311.215(a)(2)): a void, transfer or fill deleted with SQL would otherwise let it be dispensed again, or more.
    /// </summary>
    private static async Task<long> MissingWorkAsync(DbConnection connection, DbTransaction? transaction, Guid receiptId, CancellationToken cancellationToken)
    {
        // The event_type term is the partial index's WHERE, word for word (0020_index_audit_work_by_receipt.sql).
        const string sql = """
            SELECT e.sequence, e.occurred_at, e.event_type, e.actor, e.outcome, e.target, e.details, e.previous_hash, e.hash, e.mac
            FROM audit_events e
            WHERE e.event_type IN ('AnnotationAdded', 'PrescriptionDispensed') AND e.target = @ReceiptId
              AND NOT (e.event_type = 'AnnotationAdded' AND EXISTS (
                    SELECT 1 FROM annotations a WHERE a.receipt_id = @ReceiptId AND e.details LIKE concat('annotation ', a.id, ':%')))
              AND NOT (e.event_type = 'PrescriptionDispensed' AND EXISTS (
                    SELECT 1 FROM dispensings d WHERE d.receipt_id = @ReceiptId AND e.details LIKE concat('dispensing ', d.id, ';%')))
            """;
        return await WrittenByServiceAsync(connection, transaction, sql, receiptId, cancellationToken);
    }

    /// <summary>How many of the events a query returns the service wrote (1311.215(a)(5)): an event appended with the public hash counts for nothing.</summary>
    private static async Task<long> WrittenByServiceAsync(DbConnection connection, DbTransaction? transaction, string sql, Guid receiptId, CancellationToken cancellationToken)
    {
        var events = await connection.QueryAsync<AuditLog.AuditRow>(new CommandDefinition(sql, new { ReceiptId = receiptId.ToString("D") }, transaction,
            cancellationToken: cancellationToken));
        long written = 0;
        foreach (var stored in events.Select(row => row.ToChained()))
        {
            if (AuditChain.Hash(stored.Sequence, stored.Event, stored.PreviousHash) == stored.Hash
                && await CoverageCheck.WrittenByServiceAsync(connection, transaction, stored))
            {
                written++;
            }
        }
        return written;
    }

    /// <summary>
    /// Whether the audit chain says a CancelRx cancelled this prescription: a CancelRx archive row deleted behind the
    /// service's back does not make it dispensable again (1311.215(a)(2)); only rewriting the chain would, which its
    /// signed heads show.
    /// </summary>
    private static async Task<bool> CancelledInChainAsync(DbConnection connection, DbTransaction? transaction, Guid receiptId, CancellationToken cancellationToken)
    {
        // The event_type term is the partial index's WHERE, word for word (0023_audit_index_for_cancellations_only.sql):
        // AuditEventTypes.PrescriptionCancelled.
        const string sql = """
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events WHERE event_type = 'PrescriptionCancelled' AND target = @ReceiptId
            """;
        return await WrittenByServiceAsync(connection, transaction, sql, receiptId, cancellationToken) > 0;
    }

    /// <summary>The rows the audit chain holds; each one it does not is left out and audited (1311.215(a)(2)).</summary>
    private static async Task<IReadOnlyList<T>> VerifiedAsync<T>(DbConnection connection, DbTransaction? transaction, string tableName, IReadOnlyList<T> rows,
        Func<T, long> id, List<AuditEvent> ignored, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var table = CoveredTables.Find(tableName)!;
        var verified = new List<T>(rows.Count);
        foreach (var row in rows)
        {
            var key = id(row).ToString(CultureInfo.InvariantCulture);
            if (await CoverageCheck.IsCoveredAsync(connection, transaction, table, key, cancellationToken))
            {
                verified.Add(row);
            }
            else
            {
                ignored.Add(Ignored(now, tableName, key, null));
            }
        }
        return verified;
    }

    private static AuditEvent Ignored(DateTimeOffset now, string table, string key, Guid? receiptId) =>
        new(now, AuditEventTypes.CoverageMismatch, CoverageActor, AuditOutcome.Failure, $"{table}:{key}",
            $"{table} row {key} does not match the audit chain: the dispensing rules ignored it{(receiptId is { } id ? $" (receipt {id:D})" : "")}");

    private const string CoverageActor = "system:dispensing-rules";

    private static async Task<string?> LatestStatusChangeAsync(DbConnection connection, DbTransaction? transaction, Guid receiptId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT MAX(id) FROM verification_events WHERE receipt_id = @ReceiptId
            """;
        return await connection.ExecuteScalarAsync<long?>(
            new CommandDefinition(sql, new { ReceiptId = receiptId.ToString("D") }, transaction, cancellationToken: cancellationToken)) is { } id
            ? id.ToString(CultureInfo.InvariantCulture)
            : null;
    }

    private static async Task<bool> ExistsAsync(DbConnection connection, DbTransaction transaction, Guid receiptId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT COUNT(*) FROM prescription_archive WHERE receipt_id = @ReceiptId
            """;
        return await connection.ExecuteScalarAsync<long>(
            new CommandDefinition(sql, new { ReceiptId = receiptId.ToString("D") }, transaction, cancellationToken: cancellationToken)) > 0;
    }

    private static async Task<IReadOnlyList<Annotation>> AnnotationsAsync(
        DbConnection connection, DbTransaction? transaction, Guid receiptId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT id, receipt_id, annotation_type, fields, created_at, created_by FROM annotations WHERE receipt_id = @ReceiptId ORDER BY id
            """;
        var rows = await connection.QueryAsync<(long Id, string ReceiptId, string Type, string Fields, string CreatedAt, string CreatedBy)>(
            new CommandDefinition(sql, new { ReceiptId = receiptId.ToString("D") }, transaction, cancellationToken: cancellationToken));
        return rows.Select(r => new Annotation(r.Id, r.ReceiptId, r.Type,
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.Fields) ?? [], r.CreatedAt, r.CreatedBy)).ToArray();
    }

    private static async Task<IReadOnlyList<Dispensing>> DispensingsAsync(
        DbConnection connection, DbTransaction? transaction, Guid receiptId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT id, receipt_id, quantity, quantity_unit, date_dispensed, dispenser, refill_number, recorded_at, recorded_by, reason
            FROM dispensings WHERE receipt_id = @ReceiptId ORDER BY id
            """;
        return (await connection.QueryAsync<Dispensing>(
            new CommandDefinition(sql, new { ReceiptId = receiptId.ToString("D") }, transaction, cancellationToken: cancellationToken))).ToArray();
    }

    private static decimal? ParseQuantity(string? text) =>
        decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static DateOnly? ParseDate(string? text) =>
        text is { Length: >= 10 } && DateOnly.TryParseExact(text[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
}
