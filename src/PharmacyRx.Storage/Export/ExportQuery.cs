using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Export;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Prescriptions;
using PharmacyRx.Storage.Archive;

namespace PharmacyRx.Storage.Export;

/// <summary>
/// Reads the rows of an inspector's export (1304.04(h)(5), 1311.205(b)(12)) into <see cref="ExportSorter"/>s with the
/// sort key asked for: every dispensing of a matching prescription, and each one never dispensed. Call
/// <see cref="Prescriptions.PrescriptionDetails.CatchUpAsync"/> first: a prescription without its details row is not read.
/// </summary>
public sealed class ExportQuery(Database database, PharmacyClock clock)
{
    private static readonly byte[] Active = "Active"u8.ToArray();
    private static readonly byte[] FullyDispensedText = Encoding.UTF8.GetBytes(StandingText(Prescriptions.Standing.FullyDispensed, ""));

    /// <summary>
    /// The columns the export statement reads, by name: the SELECT list is written from this enum's order, so a column's
    /// ordinal is its member's value and a new column is one member and one line of <see cref="ColumnSql"/>.
    /// </summary>
    private enum Column
    {
        Number,
        PrescriberKey,
        PatientKey,
        DrugKey,
        Fields,
        StatusOnReceipt,
        DispensingId,
        DateDispensed,
        QuantityDispensed,
        Dispenser,
        RefillNumber,
        TransactionKind,
    }

    private static readonly Dictionary<Column, string> ColumnSql = new()
    {
        [Column.Number] = "p.prescription_number",
        [Column.PrescriberKey] = "p.prescriber_key",
        [Column.PatientKey] = "p.patient_key",
        [Column.DrugKey] = "p.drug_key",
        [Column.Fields] = "d.fields",
        [Column.StatusOnReceipt] = "d.status_on_receipt",
        [Column.DispensingId] = "x.id",
        [Column.DateDispensed] = "x.date_dispensed",
        [Column.QuantityDispensed] = "x.quantity",
        [Column.Dispenser] = "x.dispenser",
        [Column.RefillNumber] = "x.refill_number",
        [Column.TransactionKind] = "a.transaction_kind",
    };

    /// <summary>The SELECT list in <see cref="Column"/> order; a member without its SQL stops the type loading (ExportQueryTests).</summary>
    internal static string SelectList { get; } = string.Join(", ", Enum.GetValues<Column>().Select(column => ColumnSql[column]));

    /// <summary>The fill's columns of an export row, in <see cref="ExportColumns"/> order.</summary>
    private static readonly Column[] FillColumns = [Column.DateDispensed, Column.QuantityDispensed, Column.Dispenser, Column.RefillNumber];

    /// <summary>The stored codes the export also puts in words, in the order of their columns.</summary>
    private static readonly DetailField[] CodesInWords = [DetailField.Strength, DetailField.DosageForm, DetailField.QuantityUnit];

    /// <summary>
    /// Reads every matching row, as of one moment, into the sorters: the prescriptions are split into as many ranges
    /// as there are sorters, each read on its own connection and thread. Returns how many rows.
    /// </summary>
    public async Task<long> ReadAsync(ExportFilter filter, ExportSort sort, IReadOnlyList<ExportSorter> sorters, CancellationToken cancellationToken)
    {
        // One snapshot decides what the export holds: the prescriptions and dispensings up to their highest ids then,
        // and the few standings read apart. The ranges read later hold to that cut, and each decides which of its
        // prescriptions the fills (and refill authorizations) up to the cut have fully dispensed.
        Dictionary<long, (byte[] Status, byte[] Verification, byte[] Standing)> statuses;
        (long Prescriptions, long Dispensings, long Annotations) cut;
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var snapshot = await database.Dialect.BeginSnapshotAsync(connection, cancellationToken))
        {
            statuses = await StatusesAsync(connection, snapshot, database.Dialect, cancellationToken);
            cut = await connection.QuerySingleAsync<(long, long, long)>(new CommandDefinition("""
                SELECT COALESCE((SELECT MAX(prescription_number) FROM prescription_details), 0), COALESCE((SELECT MAX(id) FROM dispensings), 0),
                       COALESCE((SELECT MAX(id) FROM annotations), 0)
                """,
                transaction: snapshot, cancellationToken: cancellationToken));
        }
        var (where, parameters) = Where(filter);
        var sql = Statement(database.Dialect, where);
        var share = cut.Prescriptions / sorters.Count + 1;
        var counts = await Task.WhenAll(sorters.Select((sorter, i) => Task.Run(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            var (first, last) = (i * share + 1, Math.Min((i + 1) * share, cut.Prescriptions));
            List<(string, object)> range = [.. parameters, ("@LastDispensing", cut.Dispensings), ("@First", first), ("@Last", last)];
            var fullyDispensed = (await connection.QueryAsync<long>(new CommandDefinition(
                FullyDispensedStatement, new { First = first, Last = last, LastDispensing = cut.Dispensings, LastAnnotation = cut.Annotations },
                cancellationToken: cancellationToken))).ToHashSet();
            var record = new ExportRecordBuilder();
            var key = new ExportRecordBuilder();
            var words = new CodeWords();
            return database.Dialect.ExportRows.Read(connection, sql, range, row => Add(row, statuses, fullyDispensed, sort, sorter, record, key, words), cancellationToken);
        }, cancellationToken)));
        return counts.Sum();
    }

    /// <summary>
    /// The statement one range is read with. The transaction kind comes from ix_prescription_archive_kind, never from the
    /// archive's rows, which hold the as-received messages (ExportQueryTests).
    /// </summary>
    internal static string Statement(ISqlDialect dialect, string where) => $"""
        SELECT {SelectList}
        FROM prescriptions p
        JOIN prescription_details d ON d.prescription_number = p.prescription_number
        JOIN prescription_archive a {dialect.ThroughIndex("ix_prescription_archive_kind")} ON a.receipt_id = p.receipt_id
        LEFT JOIN dispensings x ON x.receipt_id = p.receipt_id AND x.id <= @LastDispensing
        {where} AND p.prescription_number BETWEEN @First AND @Last
        """;

    private static void Add(
        IExportRow row, Dictionary<long, (byte[] Status, byte[] Verification, byte[] Standing)> statuses, HashSet<long> fullyDispensed,
        ExportSort sort, ExportSorter sorter, ExportRecordBuilder record, ExportRecordBuilder key, CodeWords words)
    {
        var number = row.Number((int)Column.Number);
        var filled = !row.IsNull((int)Column.DispensingId);
        var fields = row.Utf8((int)Column.Fields);
        record.Clear();
        record.AppendNumber(number);
        record.AppendColumns(fields);
        foreach (var column in FillColumns)
        {
            if (filled)
            {
                record.AppendText(row.Utf8((int)column));
            }
            else
            {
                record.AppendNull();
            }
        }
        if (statuses.TryGetValue(number, out var status))
        {
            record.AppendText(status.Status);
            record.AppendText(status.Verification);
        }
        else
        {
            record.AppendText(Active);
            record.AppendText(row.Utf8((int)Column.StatusOnReceipt));
        }
        // The transaction as archived, the column the queue and search read (prescription_archive.transaction_kind).
        record.AppendText(row.Utf8((int)Column.TransactionKind));
        foreach (var code in CodesInWords)
        {
            record.AppendText(words.Of(Field(fields, code)));
        }
        // Every row has its standing: the few prescriptions read apart have theirs; any other is fully dispensed or stands at
        // its status on receipt (nothing ended it, no later status, no review), as Standing.Sql would say of it.
        if (status.Standing is { } standing)
        {
            record.AppendText(standing);
        }
        else if (fullyDispensed.Contains(number))
        {
            record.AppendText(FullyDispensedText);
        }
        else
        {
            record.AppendText(row.Utf8((int)Column.StatusOnReceipt));
        }
        BuildKey(key, sort, row, filled, number);
        sorter.Add(key.Written, record.Written);
    }

    /// <summary>One field of the details row's fields, joined by U+001F (ExportRecord.Encode).</summary>
    private static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> fields, DetailField field)
    {
        for (var i = 0; i < (int)field; i++)
        {
            var next = fields.IndexOf(ExportRecord.Separator);
            if (next < 0)
            {
                return [];
            }
            fields = fields[(next + 1)..];
        }
        var end = fields.IndexOf(ExportRecord.Separator);
        return end < 0 ? fields : fields[..end];
    }

    /// <summary>
    /// Codes in words (<see cref="NcpdpCodes.Decode"/>) as UTF-8, each distinct code decoded once a reader: an export of
    /// millions of rows holds a few hundred distinct codes.
    /// </summary>
    private sealed class CodeWords
    {
        private const int MostKept = 10_000;
        private readonly Dictionary<string, byte[]> _words = new(StringComparer.Ordinal);
        private readonly Dictionary<string, byte[]>.AlternateLookup<ReadOnlySpan<char>> _byChars;

        public CodeWords() => _byChars = _words.GetAlternateLookup<ReadOnlySpan<char>>();

        public byte[] Of(ReadOnlySpan<byte> code)
        {
            Span<char> chars = stackalloc char[256];
            if (code.Length <= chars.Length && Encoding.UTF8.TryGetChars(code, chars, out var length)
                && _byChars.TryGetValue(chars[..length], out var known))
            {
                return known;
            }
            var text = Encoding.UTF8.GetString(code);
            var words = Encoding.UTF8.GetBytes(NcpdpCodes.Decode(text));
            if (_words.Count < MostKept)
            {
                _words[text] = words;
            }
            return words;
        }
    }

    // Ties fall to the other keys in the issue's order (prescriber, patient, drug, date filled), then to the prescription
    // number and the dispensing's id: a total order. Names end with a NUL, so a shorter name sorts before a longer one
    // it begins (as SQLite compares text); a fill sorts before "never dispensed".
    private static void BuildKey(ExportRecordBuilder key, ExportSort sort, IExportRow row, bool filled, long number)
    {
        key.Clear();
        void Name(Column column)
        {
            key.AppendRaw(row.Utf8((int)column));
            key.AppendRaw([0]);
        }
        void Date()
        {
            key.AppendRaw([filled ? (byte)0 : (byte)1]);
            if (filled)
            {
                key.AppendRaw(row.Utf8((int)Column.DateDispensed));
            }
            key.AppendRaw([0]);
        }
        switch (sort)
        {
            case ExportSort.Prescriber:
                Name(Column.PrescriberKey);
                Name(Column.PatientKey);
                Name(Column.DrugKey);
                Date();
                break;
            case ExportSort.Patient:
                Name(Column.PatientKey);
                Name(Column.PrescriberKey);
                Name(Column.DrugKey);
                Date();
                break;
            case ExportSort.Drug:
                Name(Column.DrugKey);
                Name(Column.PrescriberKey);
                Name(Column.PatientKey);
                Date();
                break;
            default:
                Date();
                Name(Column.PrescriberKey);
                Name(Column.PatientKey);
                Name(Column.DrugKey);
                break;
        }
        key.AppendOrdered(number);
        key.AppendOrdered(filled ? row.Number((int)Column.DispensingId) : 0);
    }

    // The few prescriptions whose standing is not "Active" with their status on receipt: cancelled by a CancelRx, replaced
    // by an approved change, voided
    // or transferred out, or with a later verification status. "Cancelled by" and the current status are read through
    // ArchiveQueries.SelectRecord, the one place they are defined, for just these records.
    private static async Task<Dictionary<long, (byte[] Status, byte[] Verification, byte[] Standing)>> StatusesAsync(
        DbConnection connection, DbTransaction snapshot, ISqlDialect dialect, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(long Number, string? CancelledBy, string? CancelledByKind, string CurrentStatus, long? Ended, string Standing)>(
            new CommandDefinition(StatusesStatement(dialect), transaction: snapshot, cancellationToken: cancellationToken));
        // An approved change replaces the prescription it answers (ReceiptPipeline); a CancelRx cancels it.
        return rows.ToDictionary(r => r.Number, r => (Encoding.UTF8.GetBytes(
            r.CancelledBy is not null ? r.CancelledByKind == nameof(TransactionKind.RxChangeResponse) ? "Replaced" : "Cancelled"
            : r.Ended switch { 2 => "Voided", 1 => "Transferred out", _ => "Active" }),
            Encoding.UTF8.GetBytes(r.CurrentStatus), Encoding.UTF8.GetBytes(StandingText(r.Standing, r.CurrentStatus))));
    }

    /// <summary>
    /// The few prescriptions <see cref="StatusesAsync"/> reads apart, each found from an index of the few that can be
    /// affected: the NewRx a CancelRx names are looked up by MessageID from the CancelRx (their partial index), never
    /// by walking every NewRx for a CancelRx that names it (SQLite 3.53 chose that for a join: 1.7 s at 1,000,000
    /// prescriptions with none affected; ExportQueryTests).
    /// </summary>
    internal static string StatusesStatement(ISqlDialect dialect) => $"""
        WITH affected (receipt_id) AS (
          SELECT c.cancels_receipt_id FROM prescription_archive c WHERE c.cancels_receipt_id IS NOT NULL
          UNION
          SELECT a.receipt_id FROM prescription_archive a
          WHERE a.transaction_kind = 'NewRx' AND a.message_id IN (
            SELECT c.relates_to_message_id FROM prescription_archive c WHERE c.relates_to_message_id IS NOT NULL AND c.transaction_kind = 'CancelRx')
          UNION
          SELECT n.receipt_id FROM annotations n WHERE n.annotation_type IN ('Void', 'TransferOut')
          UNION
          SELECT e.receipt_id FROM verification_events e
          UNION
          SELECT n.receipt_id FROM annotations n WHERE n.annotation_type = 'PharmacistReview')
        SELECT p.prescription_number, r.cancelled_by_receipt_id,
               (SELECT k.transaction_kind FROM prescription_archive k WHERE k.receipt_id = r.cancelled_by_receipt_id) AS cancelled_by_kind,
               COALESCE(r.changed_status, r.status) AS current_status,
               (SELECT MAX(CASE n.annotation_type WHEN 'Void' THEN 2 WHEN 'TransferOut' THEN 1 END)
                FROM annotations n WHERE n.receipt_id = r.receipt_id) AS ended,
               {Prescriptions.Standing.Sql("COALESCE(r.changed_status, r.status)", "r.cancelled_by_receipt_id")} AS standing
        FROM ({ArchiveQueries.SelectRecord(dialect)}
              WHERE a.receipt_id IN (SELECT receipt_id FROM affected)) r
        JOIN prescriptions p ON p.receipt_id = r.receipt_id
        """;

    /// <summary>
    /// The prescriptions of one range whose fills up to the cut reach what was prescribed (Standing.FullyDispensedWhen,
    /// its one definition): one pass over the range's prescriptions on its reader's own connection, so the ranges sum side
    /// by side before their rows are read, rather than a sum read again for each exported row.
    /// </summary>
    internal static string FullyDispensedStatement { get; } = $"""
        SELECT p.prescription_number FROM prescriptions p
        WHERE p.prescription_number BETWEEN @First AND @Last
          AND {Prescriptions.Standing.FullyDispensedWhen(dispensingsUpTo: "@LastDispensing", annotationsUpTo: "@LastAnnotation")}
        """;

    /// <summary>A standing (<see cref="Prescriptions.Standing"/>) as the export's Standing column reads it; Current is the current status.</summary>
    private static string StandingText(string standing, string currentStatus) => standing switch
    {
        Prescriptions.Standing.TransferredOut => "Transferred out",
        Prescriptions.Standing.FullyDispensed => "Fully dispensed",
        Prescriptions.Standing.Reviewed => "Reviewed by a pharmacist",
        Prescriptions.Standing.Current => currentStatus,
        _ => standing,
    };

    private (string Where, List<(string Name, object Value)> Parameters) Where(ExportFilter filter)
    {
        var where = new StringBuilder("WHERE 1 = 1");
        var parameters = new List<(string Name, object Value)>();
        void Prefix(string? text, string column, string name)
        {
            if (!string.IsNullOrWhiteSpace(text))
            {
                var key = SearchKey.Normalize(text);
                where.Append(CultureInfo.InvariantCulture, $" AND {column} >= @{name} AND {column} < @{name}End");
                parameters.Add(($"@{name}", key));
                parameters.Add(($"@{name}End", SearchKey.PrefixEnd(key)));
            }
        }
        Prefix(filter.Prescriber, "p.prescriber_key", "Prescriber");
        Prefix(filter.Patient, "p.patient_key", "Patient");
        Prefix(filter.Drug, "p.drug_key", "Drug");
        if (filter.DispensedOnly)
        {
            where.Append(" AND x.id IS NOT NULL");
        }

        // 1304.04(h)(5): controlled substances by default. Codes are parameters; only their count shapes the text.
        var codes = filter.Schedules.Select(s => s.Code()).ToList();
        if (codes.Count > 0)
        {
            if (filter.IncludeUncontrolled)
            {
                codes.Add("");
            }
            where.Append(CultureInfo.InvariantCulture, $" AND p.dea_schedule IN ({string.Join(", ", codes.Select((_, i) => $"@Schedule{i}"))})");
            parameters.AddRange(codes.Select((code, i) => ($"@Schedule{i}", (object)code)));
        }
        else if (!filter.IncludeUncontrolled)
        {
            where.Append(" AND p.dea_schedule <> ''");
        }

        if (filter.From is not null || filter.To is not null)
        {
            // A dispensing by its date filled; a prescription never dispensed by the pharmacy's day it was received on (receipt is a UTC instant).
            where.Append("""
                 AND ((x.id IS NOT NULL AND x.date_dispensed >= @From AND x.date_dispensed <= @To)
                   OR (x.id IS NULL AND p.received_at >= @ReceivedFrom AND p.received_at < @Before))
                """);
            parameters.Add(("@From", Day(filter.From) ?? "0000-01-01"));
            parameters.Add(("@To", Day(filter.To) ?? "9999-12-31"));
            parameters.Add(("@ReceivedFrom", filter.From is { } from ? ReceiptSeal.FormatTimestamp(clock.StartOfDay(from)) : "0000-01-01"));
            parameters.Add(("@Before", filter.To is { } to ? ReceiptSeal.FormatTimestamp(clock.StartOfDay(to.AddDays(1))) : "9999-12-32"));
        }
        return (where.ToString(), parameters);
    }

    private static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
