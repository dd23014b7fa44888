using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PharmacyRx.Core.Audit;

/// <summary>
/// How a row of a covered table is put into the audit chain (1311.205(b)(16)): its hash over every column in a fixed
/// order, and the details of a <see cref="AuditEventTypes.RowsCovered"/> event, which lists (row key, row hash) pairs.
/// A deleted row of a mutable table is recorded with <see cref="Deleted"/> as its hash.
/// </summary>
public static class RowCoverage
{
    /// <summary>The hash recorded for a row of a mutable table that was deleted.</summary>
    public const string Deleted = "-";

    /// <summary>
    /// SHA-256 (lower-case hex) over the table name and each value, each length-prefixed with a type tag: text as UTF-8,
    /// numbers in invariant text, a BLOB by its own SHA-256 (so a large value is hashed once, not carried).
    /// </summary>
    public static string Hash(string table, IReadOnlyList<object?> values)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, (byte)'t', Encoding.UTF8.GetBytes(table));
        foreach (var value in values)
        {
            switch (value)
            {
                case null or DBNull:
                    Append(hash, (byte)'n', []);
                    break;
                case byte[] blob:
                    Append(hash, (byte)'b', SHA256.HashData(blob));
                    break;
                case string text:
                    Append(hash, (byte)'s', Encoding.UTF8.GetBytes(text));
                    break;
                case IFormattable number:
                    Append(hash, (byte)'i', Encoding.UTF8.GetBytes(number.ToString(null, CultureInfo.InvariantCulture)));
                    break;
                default:
                    Append(hash, (byte)'s', Encoding.UTF8.GetBytes(value.ToString() ?? ""));
                    break;
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

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

    private static void Append(IncrementalHash hash, byte tag, ReadOnlySpan<byte> bytes)
    {
        Span<byte> prefix = stackalloc byte[5];
        prefix[0] = tag;
        BinaryPrimitives.WriteInt32BigEndian(prefix[1..], bytes.Length);
        hash.AppendData(prefix);
        hash.AppendData(bytes);
    }
}
