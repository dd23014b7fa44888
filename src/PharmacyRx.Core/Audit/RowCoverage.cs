using System.Text.Json;

namespace PharmacyRx.Core.Audit;

/// <summary>
/// How rows of a covered table are put into the audit chain (1311.205(b)(16)): the details of a
/// <see cref="AuditEventTypes.RowsCovered"/> event list (row key, row hash) pairs, the hash being SHA-256 over the table
/// name and every column in the table's order (Storage's <c>RowHasher</c>). A deleted row of a mutable table is recorded
/// with <see cref="Deleted"/> as its hash.
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
