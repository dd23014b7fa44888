using System.Buffers;
using System.Text;

namespace PharmacyRx.Core.Export;

/// <summary>
/// The one escaping rule for every CSV and TSV the service writes (inspector export, audit report, bundle index): RFC
/// 4180 quoting, and a leading apostrophe on any non-numeric field a spreadsheet would evaluate (starts with =, +, -,
/// @, tab, CR, LF), in every column, as any may come from outside (1304.04(h)(5), 1311.215(b)).
/// </summary>
public static class CsvField
{
    private static readonly SearchValues<byte> NeedsQuotes = SearchValues.Create(",\"\r\n"u8);
    private static readonly SearchValues<byte> FormulaStart = SearchValues.Create("=+-@\t\r\n"u8);

    /// <summary>Whether a spreadsheet would run the field as a formula (a plain number such as "-1" is a number).</summary>
    public static bool IsFormulaLike(ReadOnlySpan<byte> value) =>
        !value.IsEmpty && FormulaStart.Contains(value[0]) && !ExportColumns.IsPlainNumber(value);

    /// <summary>Writes one field, quoted and guarded as needed.</summary>
    internal static void Write(ByteOutput output, ReadOnlySpan<byte> value)
    {
        var guard = IsFormulaLike(value);
        if (!guard && value.IndexOfAny(NeedsQuotes) < 0)
        {
            output.Write(value);
            return;
        }
        output.Write((byte)'"');
        if (guard)
        {
            output.Write((byte)'\'');
        }
        int quote;
        while ((quote = value.IndexOf((byte)'"')) >= 0)
        {
            output.Write(value[..(quote + 1)]);
            output.Write((byte)'"');
            value = value[(quote + 1)..];
        }
        output.Write(value);
        output.Write((byte)'"');
    }

    /// <summary>One field as text, by the same rule as <see cref="Write"/>.</summary>
    public static string Format(string value)
    {
        using var buffer = new MemoryStream();
        using (var output = new ByteOutput(buffer))
        {
            Write(output, Encoding.UTF8.GetBytes(value));
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A tab-separated field: tabs and line breaks become spaces (they would break the row), then the formula guard.</summary>
    public static string FormatTabSeparated(string? value)
    {
        var clean = (value ?? "").Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
        return IsFormulaLike(Encoding.UTF8.GetBytes(clean)) ? "'" + clean : clean;
    }
}
