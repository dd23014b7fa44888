using System.Text;

namespace PharmacyRx.Core.Export;

/// <summary>
/// One export row as the writers take it: the UTF-8 text of each <see cref="ExportColumns.All"/> column in order,
/// separated by U+001F, with one NUL byte for no value. Neither byte occurs in recorded text (XML 1.0 cannot carry
/// them; <see cref="ExportRecordBuilder"/> replaces them elsewhere). Rows stay bytes end to end.
/// </summary>
public static class ExportRecord
{
    public const byte Separator = 0x1F;
    public const byte Null = 0x00;

    /// <summary>The record of these column texts (null for no value).</summary>
    public static byte[] Encode(IReadOnlyList<string?> fields)
    {
        var builder = new ExportRecordBuilder();
        foreach (var field in fields)
        {
            if (field is null)
            {
                builder.AppendNull();
            }
            else
            {
                builder.AppendText(Encoding.UTF8.GetBytes(field));
            }
        }
        return builder.Written.ToArray();
    }

    /// <summary>Splits a record into its columns' ranges; returns how many there are (at most <c>columns.Length</c>).</summary>
    public static int Split(ReadOnlySpan<byte> record, Span<Range> columns)
    {
        var count = 0;
        var start = 0;
        while (count < columns.Length - 1 && record[start..].IndexOf(Separator) is var at and >= 0)
        {
            columns[count++] = new Range(start, start + at);
            start += at + 1;
        }
        columns[count++] = new Range(start, record.Length);
        return count;
    }

    /// <summary>Whether a column of a record holds no value.</summary>
    public static bool IsNull(ReadOnlySpan<byte> field) => field.Length == 1 && field[0] == Null;
}
