namespace PharmacyRx.Storage.Prescriptions;

/// <summary>
/// A prescription's standing as the console shows it: what ended it (a CancelRx, an approved change, a void, a transfer
/// out), every fill taken, a review recorded, else its current status. Display only: whether it may be dispensed is
/// <c>DispensingRules</c>' to decide, from verified facts. One SQL fragment, read by search and the export.
/// </summary>
public static class Standing
{
    public const string Cancelled = "Cancelled";
    public const string Replaced = "Replaced";
    public const string Voided = "Voided";
    public const string TransferredOut = "TransferredOut";
    public const string FullyDispensed = "FullyDispensed";
    public const string Reviewed = "Reviewed";
    public const string Current = "Current";

    /// <summary>
    /// The standing of the prescription <c>p</c> (a <c>prescriptions</c> row) whose current status is <paramref name="status"/>
    /// and whose "cancelled by" is <paramref name="cancelledBy"/> (both from <c>ArchiveQueries.SelectRecord</c>). Fully
    /// dispensed: the quantities filled reach the quantity prescribed times one plus the refills authorized, and no refill
    /// was authorized later (1306.22(e) adds fills the sum would not know of).
    /// </summary>
    public static string Sql(string status, string cancelledBy) => $"""
        CASE
          WHEN {cancelledBy} IS NOT NULL THEN CASE WHEN (SELECT k.transaction_kind FROM prescription_archive k WHERE k.receipt_id = {cancelledBy}) = 'RxChangeResponse'
                                                    THEN 'Replaced' ELSE 'Cancelled' END
          WHEN EXISTS (SELECT 1 FROM annotations n WHERE n.receipt_id = p.receipt_id AND n.annotation_type = 'Void') THEN 'Voided'
          WHEN EXISTS (SELECT 1 FROM annotations n WHERE n.receipt_id = p.receipt_id AND n.annotation_type = 'TransferOut') THEN 'TransferredOut'
          WHEN {FullyDispensedWhen()} THEN 'FullyDispensed'
          WHEN {status} = 'NeedsPharmacistReview'
               AND EXISTS (SELECT 1 FROM annotations n WHERE n.receipt_id = p.receipt_id AND n.annotation_type = 'PharmacistReview') THEN 'Reviewed'
          ELSE 'Current'
        END
        """;

    /// <summary>
    /// Whether the prescription <c>p</c> is fully dispensed: the one definition, read per row by <see cref="Sql"/> and per
    /// range by the export, which counts the fills and annotations up to its cut (<paramref name="dispensingsUpTo"/>,
    /// <paramref name="annotationsUpTo"/>: expressions for the highest ids).
    /// </summary>
    public static string FullyDispensedWhen(string? dispensingsUpTo = null, string? annotationsUpTo = null) => $"""
        p.quantity <> '' AND p.refills_authorized <> ''
               AND NOT EXISTS (SELECT 1 FROM annotations n WHERE n.receipt_id = p.receipt_id AND n.annotation_type = 'RefillAuthorization'{UpTo("n", annotationsUpTo)})
               AND (SELECT SUM(CAST(d.quantity AS REAL)) FROM dispensings d WHERE d.receipt_id = p.receipt_id{UpTo("d", dispensingsUpTo)})
                   >= CAST(p.quantity AS REAL) * (1 + CAST(p.refills_authorized AS REAL))
        """;

    private static string UpTo(string table, string? highest) => highest is null ? "" : $" AND {table}.id <= {highest}";
}
