using System.Buffers;
using System.Text;

namespace PharmacyRx.Core.Export;

/// <summary>
/// The one escaping rule for every CSV (and tab-separated file) the service writes: the inspector's export, the daily
/// audit report, the signed-record bundle's index. RFC 4180: a field is quoted when it holds a comma, quote or line
/// break, quotes doubled. A field a spreadsheet would evaluate (it starts with =, +, -, @, tab, CR or LF) and that is
/// not a plain number gets a leading apostrophe, whatever its column: names, MessageIDs, quantities and dates come
/// from prescribers' systems and login names from whoever typed them, and none may carry a formula into an inspector's
/// spreadsheet (1304.04(h)(5), 1311.215(b)).
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
