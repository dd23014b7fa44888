using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Prescriptions;
using PharmacyRx.Storage.Archive;

namespace PharmacyRx.Storage.Prescriptions;

/// <summary>
/// Finds prescriptions and their refill history (1311.205(b)(11), 1306.22(c)). Name filters are range scans on normalized
/// keys, except the patient's: each word given is a prefix of a word of the name, in any order
/// (<see cref="PatientSearchIndex"/>), so a name alone pages newest first from the words.
/// </summary>
public sealed class PrescriptionSearch(Database database, PharmacyClock clock, PatientSearchIndex patients)
{
    /// <summary>One search result.</summary>
    public sealed record Row
    {
        public long PrescriptionNumber { get; init; }
        public string ReceiptId { get; init; } = "";
        public string ReceivedAt { get; init; } = "";
        public string PatientName { get; init; } = "";
        public string PrescriberName { get; init; } = "";
        public string DrugDescription { get; init; } = "";
        public string DeaSchedule { get; init; } = "";
        public string WrittenDate { get; init; } = "";
        public string Status { get; init; } = "";
        public string? LastDispensed { get; init; }

        /// <summary>The patient's date of birth as sent (yyyy-MM-dd); empty when none was sent or the row is not yet indexed.</summary>
        public string? BirthDate { get; init; }

        /// <summary>The prescription's standing (<see cref="Prescriptions.Standing"/>): what ended it, fully dispensed, reviewed, or Current.</summary>
        public string Standing { get; init; } = "";

        /// <summary>The transaction the prescription came in: NewRx, or an approved RxRenewalResponse or RxChangeResponse.</summary>
        public string TransactionKind { get; init; } = "";
    }

    /// <summary>One page of results; <see cref="HasMore"/> when another page follows.</summary>
    public sealed record Page(IReadOnlyList<Row> Rows, int PageNumber, int PageSize, bool HasMore);

    /// <summary>The refill history of one prescription number (1306.22(c)).</summary>
    public sealed record RefillHistory(
        long PrescriptionNumber, string ReceiptId, string DrugDescription, string DosageForm, string QuantityPrescribed, string RefillsAuthorized,
        IReadOnlyList<Fill> Fills)
    {
        public int RefillsSoFar => Fills.Count == 0 ? 0 : Fills.Max(f => f.RefillNumber);
    }

    /// <summary>One fill in a refill history.</summary>
    public sealed record Fill
    {
        public string DateDispensed { get; init; } = "";
        public string Quantity { get; init; } = "";
        public string QuantityUnit { get; init; } = "";
        public string Dispenser { get; init; } = "";
        public int RefillNumber { get; init; }
    }

    /// <summary>The statuses on receipt the archive's partial index holds (0025_index_archive_for_queue.sql).</summary>
    private static readonly HashSet<string> AttentionStatuses = ["NeedsPharmacistReview", "PendingRevocationCheck", "Invalid", "Rejected"];

    private const string Everything = "WHERE 1 = 1";

    private static readonly Dictionary<PrescriptionSort, string> SortColumns = new()
    {
        [PrescriptionSort.Received] = "p.received_at",
        [PrescriptionSort.Patient] = "p.patient_key",
        [PrescriptionSort.Prescriber] = "p.prescriber_key",
        [PrescriptionSort.Drug] = "p.drug_key",
        [PrescriptionSort.Number] = "p.prescription_number",
    };

    public async Task<Page> SearchAsync(PrescriptionQuery query, CancellationToken cancellationToken)
    {
        var pageSize = Math.Clamp(query.PageSize, 1, PrescriptionQuery.MaxPageSize);
        var page = Math.Max(query.Page, 1);
        var where = new StringBuilder(Everything);
        var parameters = new DynamicParameters();
        void Prefix(string? text, string column, string name)
        {
            if (!string.IsNullOrWhiteSpace(text))
            {
                var key = SearchKey.Normalize(text);
                where.Append(CultureInfo.InvariantCulture, $" AND {column} >= @{name} AND {column} < @{name}End");
                parameters.Add(name, key);
                parameters.Add(name + "End", SearchKey.PrefixEnd(key));
            }
        }
        if (!string.IsNullOrWhiteSpace(query.Patient) || query.BirthDate is not null)
        {
            // Prescriptions that arrived since the background upkeep last ran are indexed now (one batch at most).
            await patients.CatchUpAsync(cancellationToken, oneBatch: true);
        }
        // Each word given begins a word of the name, in any order. One word: its range of patient_name_words, one covering
        // read with the moment of receipt beside the number. Several: the engine's name index where it has one (a short
        // prefix's range is long, and intersecting ranges reads each whole), else the intersection of their ranges.
        var words = SearchKey.Words(query.Patient ?? "").Distinct(StringComparer.Ordinal).ToArray();
        string? named;
        (NameWordsIndex Index, string Match)? fullText = null;
        if (words.Length > 1 && database.Dialect.NameWords is { } index)
        {
            fullText = (index, index.Match(words));
            named = index.Matching;
            parameters.Add("NameMatch", fullText.Value.Match);
        }
        else
        {
            named = words.Length == 0 ? null : string.Join(" INTERSECT ", words.Select((_, i) => FormattableString.Invariant(
                $"SELECT w.received_at, w.prescription_number FROM patient_name_words w WHERE w.word >= @Name{i} AND w.word < @Name{i}End")));
            for (var i = 0; i < words.Length; i++)
            {
                parameters.Add($"Name{i}", words[i]);
                parameters.Add($"Name{i}End", SearchKey.PrefixEnd(words[i]));
            }
        }
        if (query.BirthDate is { } birthDate)
        {
            where.Append(" AND p.prescription_number IN (SELECT s.prescription_number FROM patient_search s WHERE s.birth_date = @BirthDate)");
            parameters.Add("BirthDate", Day(birthDate));
        }
        Prefix(query.Prescriber, "p.prescriber_key", "Prescriber");
        Prefix(query.Drug, "p.drug_key", "Drug");
        if (query.DispensedFrom is not null || query.DispensedTo is not null)
        {
            where.Append(" AND p.receipt_id IN (SELECT d.receipt_id FROM dispensings d WHERE d.date_dispensed >= @DispensedFrom AND d.date_dispensed <= @DispensedTo)");
            parameters.Add("DispensedFrom", Day(query.DispensedFrom) ?? "0000-01-01");
            parameters.Add("DispensedTo", Day(query.DispensedTo) ?? "9999-12-31");
        }
        // Receipt is a UTC instant; the days asked for are the pharmacy's, from its first instant to the next day's.
        if (query.ReceivedFrom is { } receivedFrom)
        {
            where.Append(" AND p.received_at >= @ReceivedFrom");
            parameters.Add("ReceivedFrom", ReceiptSeal.FormatTimestamp(clock.StartOfDay(receivedFrom)));
        }
        if (query.ReceivedTo is { } receivedTo)
        {
            where.Append(" AND p.received_at < @ReceivedBefore");
            parameters.Add("ReceivedBefore", ReceiptSeal.FormatTimestamp(clock.StartOfDay(receivedTo.AddDays(1))));
        }
        if (!string.IsNullOrWhiteSpace(query.Schedule))
        {
            where.Append(" AND p.dea_schedule = @Schedule");
            parameters.Add("Schedule", ScheduleCode(query.Schedule));
        }
        if (!string.IsNullOrWhiteSpace(query.Status))
        {
            // The current status: the newest verification event's, else the one on receipt. A status that needs attention
            // is rare: its records are read from the archive's partial index (its WHERE word for word,
            // 0025_index_archive_for_queue.sql) and from the events, not by walking every prescription.
            where.Append(AttentionStatuses.Contains(query.Status)
                ? """
                   AND p.receipt_id IN (
                     SELECT s.receipt_id FROM prescription_archive s
                     WHERE s.status IN ('NeedsPharmacistReview', 'PendingRevocationCheck', 'Invalid', 'Rejected') AND s.status = @Status
                       AND NOT EXISTS (SELECT 1 FROM verification_events e WHERE e.receipt_id = s.receipt_id)
                     UNION SELECT e.receipt_id FROM verification_events e
                     WHERE e.status = @Status AND e.id = (SELECT MAX(n.id) FROM verification_events n WHERE n.receipt_id = e.receipt_id))
                  """
                : $"""
                   AND COALESCE((SELECT e.status FROM verification_events e WHERE e.receipt_id = p.receipt_id ORDER BY e.id DESC {database.Dialect.FirstRows("1")}),
                                (SELECT s.status FROM prescription_archive s WHERE s.receipt_id = p.receipt_id)) = @Status
                  """);
            parameters.Add("Status", query.Status);
        }
        if (query.PrescriptionNumber is { } number)
        {
            where.Append(" AND p.prescription_number = @Number");
            parameters.Add("Number", number);
        }
        var direction = query.Descending ? "DESC" : "ASC";
        parameters.Add("Limit", pageSize + 1);
        parameters.Add("Offset", (page - 1) * pageSize);
        var order = $"{SortColumns[query.Sort]} {direction}, p.prescription_number {direction}";
        await using var connection = await database.OpenAsync(cancellationToken);
        string chosen;
        var nameAlone = named is not null && query.Sort == PrescriptionSort.Received && where.ToString() == Everything;
        if (nameAlone && fullText is { } text && query.Descending && page * pageSize + 1 <= NewestCandidates
            && await NewestNamedAsync(connection, text.Index, text.Match, (page - 1) * pageSize, pageSize + 1, cancellationToken) is { } newest)
        {
            // At least one value: an empty page reads as no number at all.
            var numbers = newest.Length == 0 ? "NULL" : string.Join(", ", newest.Select((_, i) => FormattableString.Invariant($"@Page{i}")));
            chosen = $"SELECT p.prescription_number FROM prescriptions p WHERE p.prescription_number IN ({numbers})";
            for (var i = 0; i < newest.Length; i++)
            {
                parameters.Add($"Page{i}", newest[i]);
            }
        }
        else if (nameAlone)
        {
            // A name alone, newest first: the page comes from the words' own moments of receipt, without a prescriptions row
            // read for any match that is not on it.
            chosen = $"""
                SELECT n.prescription_number FROM ({named}) n
                ORDER BY n.received_at {direction}, n.prescription_number {direction}
                {database.Dialect.Page("@Limit", "@Offset")}
                """;
        }
        else
        {
            if (named is not null)
            {
                where.Append(CultureInfo.InvariantCulture, $" AND p.prescription_number IN (SELECT n.prescription_number FROM ({named}) n)");
            }
            chosen = $"""
                SELECT p.prescription_number FROM prescriptions p
                {where}
                ORDER BY {order}
                {database.Dialect.Page("@Limit", "@Offset")}
                """;
        }
        // The page is chosen from the prescriptions table and its indexes (a name alone: from its words); only its rows are joined to the archive,
        // and only they get "cancelled by" (ArchiveQueries.CancelledBy, its one definition) and a standing.
        var status = "COALESCE(v.status, a.status)";
        var sql = $"""
            SELECT p.prescription_number, p.receipt_id, p.received_at, a.patient_name, a.prescriber_name, a.drug_description,
                   p.dea_schedule, p.written_date, {status} AS status, a.transaction_kind, s.birth_date,
                   {Prescriptions.Standing.Sql(status, ArchiveQueries.CancelledBy(database.Dialect))} AS standing,
                   (SELECT MAX(d.date_dispensed) FROM dispensings d WHERE d.receipt_id = p.receipt_id) AS last_dispensed
            FROM ({chosen}) page
            JOIN prescriptions p ON p.prescription_number = page.prescription_number
            JOIN prescription_archive a ON a.receipt_id = p.receipt_id
            LEFT JOIN verification_events v ON v.id = (SELECT MAX(e.id) FROM verification_events e WHERE e.receipt_id = p.receipt_id)
            LEFT JOIN patient_search s ON s.prescription_number = p.prescription_number
            ORDER BY {order}
            """;
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).ToList();
        var hasMore = rows.Count > pageSize;
        return new Page(hasMore ? rows[..pageSize] : rows, page, pageSize, hasMore);
    }

    /// <summary>How many of a name's highest-numbered matches a newest-first page is looked for among (<see cref="NewestNamedAsync"/>).</summary>
    internal const int NewestCandidates = 512;

    /// <summary>
    /// The numbers of a newest-first page of a name's matches, from its <see cref="NewestCandidates"/> highest-numbered
    /// matches alone, or null when that page cannot be proved to be the page of all of them. Numbers follow the order of
    /// archiving, which is nearly the order of receipt, so the newest matches are among the highest-numbered: a common
    /// pair of prefixes ("ber mar", 5,735 matches at 2,000,000 prescriptions) then costs 512 lookups of a moment of receipt
    /// and a read of the index of receipt back to the page's last row (about 18,000 entries there), not one lookup per
    /// match (docs/performance-scale.md). Proved when every match was read, or when no prescription numbered below the
    /// candidates arrived after the page's last row (a match there would belong before it); otherwise, or when that read
    /// would pass <see cref="ProofBudget"/>, the caller sorts every match.
    /// </summary>
    private async Task<long[]?> NewestNamedAsync(
        DbConnection connection, NameWordsIndex index, string match, int offset, int take, CancellationToken cancellationToken)
    {
        var candidates = (await connection.QueryAsync<(string ReceivedAt, long Number)>(new CommandDefinition(index.HighestMatching,
            new { NameMatch = match, Candidates = NewestCandidates }, cancellationToken: cancellationToken)))
            .OrderByDescending(c => c.ReceivedAt, StringComparer.Ordinal).ThenByDescending(c => c.Number).ToList();
        var pageRows = candidates.Skip(offset).Take(take).Select(c => c.Number).ToArray();
        if (candidates.Count < NewestCandidates)
        {
            return pageRows;
        }
        // Every prescription that arrived after the page's last row, newest first, up to a budget: the proof holds when none
        // of them is numbered below the candidates. Past the budget (a name whose newest page reaches far back) it is not
        // looked for further, and every match is sorted instead.
        var last = candidates[offset + take - 1];
        var arrivedLater = $"""
            SELECT COUNT(*) AS arrived, MIN(later.prescription_number) AS lowest FROM (
              SELECT p.prescription_number FROM prescriptions p {database.Dialect.ThroughIndex("ix_prescriptions_received")}
              WHERE p.received_at > @Last ORDER BY p.received_at DESC {database.Dialect.FirstRows("@Budget")}) later
            """;
        var later = await connection.QuerySingleAsync<(long Arrived, long? Lowest)>(new CommandDefinition(arrivedLater,
            new { Last = last.ReceivedAt, Budget = ProofBudget }, cancellationToken: cancellationToken));
        return later.Arrived < ProofBudget && (later.Lowest is null || later.Lowest >= candidates.Min(c => c.Number)) ? pageRows : null;
    }

    /// <summary>How many later arrivals <see cref="NewestNamedAsync"/> reads, at most, to prove its page (a few milliseconds).</summary>
    internal const int ProofBudget = 50_000;

    public async Task<RefillHistory?> RefillHistoryAsync(long prescriptionNumber, CancellationToken cancellationToken)
    {
        const string prescription = """
            SELECT p.prescription_number, p.receipt_id, a.drug_description, p.quantity, p.quantity_unit, p.refills_authorized, a.as_received
            FROM prescriptions p JOIN prescription_archive a ON a.receipt_id = p.receipt_id
            WHERE p.prescription_number = @Number
            """;
        const string fills = """
            SELECT date_dispensed, quantity, quantity_unit, dispenser, refill_number FROM dispensings WHERE receipt_id = @ReceiptId ORDER BY id
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rx = await connection.QuerySingleOrDefaultAsync<(long Number, string ReceiptId, string Drug, string Quantity, string Unit, string Refills, byte[] AsReceived)?>(
            new CommandDefinition(prescription, new { Number = prescriptionNumber }, cancellationToken: cancellationToken));
        if (rx is not { } found)
        {
            return null;
        }
        var history = await connection.QueryAsync<Fill>(new CommandDefinition(fills, new { found.ReceiptId }, cancellationToken: cancellationToken));
        // The dosage form is read from the as-received record, the one source of prescription information.
        var form = new ScriptMessageReader().Read(found.AsReceived).Message?.Elements.DosageForm ?? "";
        return new RefillHistory(found.Number, found.ReceiptId, found.Drug, form, $"{found.Quantity} {found.Unit}".Trim(), found.Refills, history.ToArray());
    }

    /// <summary>The pharmacy's prescription number of an archived NewRx, or null.</summary>
    public async Task<long?> NumberAsync(Guid receiptId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT prescription_number FROM prescriptions WHERE receipt_id = @ReceiptId
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(sql, new { ReceiptId = receiptId.ToString("D") }, cancellationToken: cancellationToken));
    }

    private static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string ScheduleCode(string schedule) => schedule.ToUpperInvariant() switch
    {
        "CI" => "C48672",
        "CII" => "C48675",
        "CIII" => "C48676",
        "CIV" => "C48677",
        "CV" => "C48679",
        var code => code,
    };
}
