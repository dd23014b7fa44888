using System.Buffers;
using System.Text;

namespace PharmacyRx.Core.Export;

/// <summary>
/// RFC 4180 CSV: CRLF line ends, a field quoted when it holds a comma, quote or line break, quotes doubled. UTF-8 with
/// a byte-order mark, so spreadsheet programs read accents correctly. A text field that a spreadsheet would run as a
/// formula (it starts with =, +, -, @ or a control character) gets a leading apostrophe: names and addresses come from
/// prescribers' systems, and an export must not carry a formula into the inspector's spreadsheet.
/// </summary>
public sealed class CsvExportWriter : IExportWriter
{
    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");
    private static readonly SearchValues<char> FormulaStart = SearchValues.Create("=+-@\t\r");

    private readonly StreamWriter _writer;

    public CsvExportWriter(Stream output)
    {
        _writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 1 << 16);
        var first = true;
        foreach (var column in ExportColumns.All)
        {
            if (!first)
            {
                _writer.Write(',');
            }
            first = false;
            _writer.Write(column.Header);
        }
        _writer.Write("\r\n");
    }

    public void Write(ExportRow row)
    {
        var columns = ExportColumns.All;
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0)
            {
                _writer.Write(',');
            }
            WriteField(columns[i].Value(row), columns[i].Kind);
        }
        _writer.Write("\r\n");
    }

    public void Complete(ExportDescription description, long rows) => _writer.Flush();

    public void Dispose() => _writer.Dispose();

    private void WriteField(string? value, ExportColumnKind kind)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        var guard = kind == ExportColumnKind.Text && FormulaStart.Contains(value[0]);
        if (!guard && value.AsSpan().IndexOfAny(NeedsQuotes) < 0)
        {
            _writer.Write(value);
            return;
        }
        _writer.Write('"');
        if (guard)
        {
            _writer.Write('\'');
        }
        var rest = value.AsSpan();
        int quote;
        while ((quote = rest.IndexOf('"')) >= 0)
        {
            _writer.Write(rest[..(quote + 1)]);
            _writer.Write('"');
            rest = rest[(quote + 1)..];
        }
        _writer.Write(rest);
        _writer.Write('"');
    }
}
