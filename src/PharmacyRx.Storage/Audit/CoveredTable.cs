namespace PharmacyRx.Storage.Audit;

/// <summary>
/// A table whose rows the audit chain covers (see <see cref="CoveredTables"/>).
/// </summary>
/// <param name="Name">The table.</param>
/// <param name="KeyColumns">The columns that identify a row; joined by U+001F into the row key.</param>
/// <param name="AppendOnly">
/// True for a table whose rows are only ever inserted (its triggers refuse UPDATE and DELETE): only inserts are recorded.
/// False for a small table whose rows change (users, grants, trust): every insert, update and delete is recorded.
/// </param>
/// <param name="LookedUp">
/// True when the dispensing rules check single rows against the chain (<c>CoverageCheck</c>): their hashes are also kept in
/// the <c>coverage_rows</c> lookup copy. Rows of mutable tables always are (to compare before recording).
/// </param>
/// <param name="HashedElsewhere">
/// Columns left out of the row hash because another column of the row holds their hash, which verify checks against
/// them (the as-received bytes and their SHA-256): coverage on the ingest path never re-hashes megabytes.
/// </param>
public sealed record CoveredTable(string Name, IReadOnlyList<string> KeyColumns, bool AppendOnly, bool LookedUp = false, params IReadOnlyList<string> HashedElsewhere)
{
    /// <summary>A row key as people read it: the key columns separated by " / " (a report never shows a control character).</summary>
    public static string Show(string key) => key.Replace("\u001f", " / ", StringComparison.Ordinal);

    /// <summary>Whether the writer keeps this table's row hashes in the lookup copy.</summary>
    public bool KeptForLookup => LookedUp || !AppendOnly;

    /// <summary>
    /// The row key as a SQL expression over the columns, optionally of a trigger's NEW or OLD row. Where a key has several
    /// columns, each is joined as <paramref name="exact"/> says (<see cref="ISqlText.ExactText"/>: SQL Server's columns
    /// of different collations cannot be joined otherwise).
    /// </summary>
    public string KeyExpression(string? row = null, string exact = "")
    {
        var columns = KeyColumns.Select(column => row is null ? column : $"{row}.{column}").ToArray();
        return columns.Length == 1 ? columns[0] : $"concat({string.Join(", char(31), ", columns.Select(c => exact.Length == 0 ? c : $"{c} {exact}"))})";
    }
}
