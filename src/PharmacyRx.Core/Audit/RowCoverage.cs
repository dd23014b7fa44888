using System.Text.Json;

namespace PharmacyRx.Core.Audit;

/// <summary>
/// How covered rows enter the audit chain (1311.205(b)(16)): a <see cref="AuditEventTypes.RowsCovered"/> event lists
/// (row key, row hash) pairs, the hash being SHA-256 over the table name and every column in table order (Storage's
/// <c>RowHasher</c>); a mutable table's deleted row is recorded with <see cref="Deleted"/>.
/// </summary>
public static class RowCoverage
{
    /// <summary>The hash recorded for a row of a mutable table that was deleted.</summary>
    public const string Deleted = "-";

    /// <summary>The details of a <see cref="AuditEventTypes.RowsCovered"/> event: a JSON array of [key, hash] pairs.</summary>
    public static string Details(IEnumerable<(string Key, string Hash)> rows) =>
        JsonSerializer.Serialize(rows.Select(r => new[] { r.Key, r.Hash }));

    /// <summary>The (key, hash) pairs of a <see cref="AuditEventTypes.RowsCovered"/> event; empty when the details do not parse.</summary>
    public static IReadOnlyList<(string Key, string Hash)> Parse(string details)
    {
        try
        {
            return (JsonSerializer.Deserialize<string[][]>(details) ?? [])
                .Where(pair => pair.Length == 2)
                .Select(pair => (pair[0], pair[1]))
                .ToArray();
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
