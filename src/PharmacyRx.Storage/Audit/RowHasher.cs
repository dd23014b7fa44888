using System.Data.Common;
using System.Security.Cryptography;
using System.Text;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// The hash of a covered row, for the writer, the dispensing rules and verify alike: lower-case hex SHA-256 over the
/// table name, U+001F and the row as one text the database builds (<see cref="ISqlText.RowText"/>: each column an SQL
/// literal, comma-separated, unambiguous), so one value per row crosses into .NET.
/// </summary>
internal static class RowHasher
{
    /// <summary>The hash of the row text in column <paramref name="ordinal"/> of the current row.</summary>
    public static string Hash(string table, DbDataReader reader, int ordinal) => Hash(table, RowBytes(reader, ordinal));

    /// <summary>
    /// A row text read from the database as its UTF-8 bytes: SQLite hands them over as stored (its row text is a BLOB of
    /// them); SQL Server's text is UTF-16 and is encoded here, so the same row hashes the same on both engines.
    /// </summary>
    public static byte[] RowBytes(DbDataReader reader, int ordinal) =>
        reader.GetFieldType(ordinal) == typeof(byte[]) ? reader.GetFieldValue<byte[]>(ordinal) : Encoding.UTF8.GetBytes(reader.GetString(ordinal));

    /// <summary>
    /// The hash of a row from the values just written, rendered as <see cref="ISqlText.RowText"/> renders them in the database
    /// (SQLite's <c>quote()</c>: text in single quotes with quotes doubled, a BLOB as X'HEX', NULL as NULL, an integer in
    /// decimal), so the writer need not read back what it inserted. Verify still renders every row in the database.
    /// </summary>
    public static string Hash(string table, IEnumerable<object?> values) => HashText(table, Text(values));

    /// <summary>The hash of a row text as <see cref="Text"/> renders it (the same bytes as <see cref="Hash(string, byte[])"/> hashes).</summary>
    public static string HashText(string table, string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(table + "\u001f" + text)));

    /// <summary>Values rendered as <see cref="ISqlText.RowText"/> renders them in the database, comma-separated.</summary>
    public static string Text(IEnumerable<object?> values)
    {
        var text = new StringBuilder(1024);
        var first = true;
        foreach (var value in values)
        {
            if (!first)
            {
                text.Append(',');
            }
            first = false;
            switch (value)
            {
                case null:
                    text.Append("NULL");
                    break;
                case string s:
                    text.Append('\'').Append(s.Replace("'", "''", StringComparison.Ordinal)).Append('\'');
                    break;
                case byte[] b:
                    text.Append("X'").Append(Convert.ToHexString(b)).Append('\'');
                    break;
                case long l:
                    text.Append(l.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case int i:
                    text.Append(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new ArgumentException($"no SQL literal rendering for {value.GetType().Name}", nameof(values));
            }
        }
        return text.ToString();
    }

    /// <summary>The hash of a row text (UTF-8) as the expression renders it.</summary>
    public static string Hash(string table, byte[] row)
    {
        var name = Encoding.UTF8.GetBytes(table + "\u001f");
        var bytes = new byte[name.Length + row.Length];
        name.CopyTo(bytes, 0);
        row.CopyTo(bytes, name.Length);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
