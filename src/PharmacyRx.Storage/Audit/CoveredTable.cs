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
/// <param name="HashedElsewhere">
/// Columns left out of the row hash because another column of the row holds their hash, which verify checks against
/// them (the as-received bytes and their SHA-256): coverage on the ingest path never re-hashes megabytes.
/// </param>
public sealed record CoveredTable(string Name, IReadOnlyList<string> KeyColumns, bool AppendOnly, params IReadOnlyList<string> HashedElsewhere)
{
    /// <summary>The row key as a SQL expression over the columns, optionally of a trigger's NEW or OLD row.</summary>
    public string KeyExpression(string? row = null) =>
        string.Join(" || char(31) || ", KeyColumns.Select(column => row is null ? column : $"{row}.{column}"));
}
