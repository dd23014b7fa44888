using System.Buffers;
using System.Text;

namespace PharmacyRx.Core.Export;

/// <summary>
/// RFC 4180 CSV: CRLF line ends, a field quoted when it holds a comma, quote or line break, quotes doubled. UTF-8 with
/// a byte-order mark, so spreadsheet programs read accents correctly. A text field that a spreadsheet would run as a
/// formula (it starts with =, +, -, @, tab or CR) gets a leading apostrophe: names and addresses come from prescribers'
/// systems, and an export must not carry a formula into the inspector's spreadsheet.
/// </summary>
public sealed class CsvExportWriter : IExportWriter
{
    private static readonly SearchValues<byte> NeedsQuotes = SearchValues.Create(",\"\r\n"u8);
    private static readonly SearchValues<byte> FormulaStart = SearchValues.Create("=+-@\t\r"u8);

    private readonly Stream _stream;
    private readonly ByteOutput _output;
    private readonly Range[] _columns = new Range[ExportColumns.Count + 1];

    /// <param name="output">Where to write; disposed with the writer.</param>
    public CsvExportWriter(Stream output)
    {
        _stream = output;
        _output = new ByteOutput(output);
        _output.Write(Encoding.UTF8.Preamble);
        _output.Write(string.Join(',', ExportColumns.All.Select(c => c.Header)));
        _output.Write("\r\n"u8);
    }

    public void Write(ReadOnlySpan<byte> record)
    {
        var count = ExportRecord.Split(record, _columns);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                _output.Write((byte)',');
            }
            WriteField(record[_columns[i]], ExportColumns.All[i].Kind);
        }
        _output.Write("\r\n"u8);
    }

    public void Complete(ExportDescription description, long rows) => _output.Flush();

    public void Dispose()
    {
        _output.Dispose();
        _stream.Dispose();
    }

    private void WriteField(ReadOnlySpan<byte> value, ExportColumnKind kind)
    {
        if (value.IsEmpty || ExportRecord.IsNull(value))
        {
            return;
        }
        var guard = kind == ExportColumnKind.Text && FormulaStart.Contains(value[0]);
        if (!guard && value.IndexOfAny(NeedsQuotes) < 0)
        {
            _output.Write(value);
            return;
        }
        _output.Write((byte)'"');
        if (guard)
        {
            _output.Write((byte)'\'');
        }
        int quote;
        while ((quote = value.IndexOf((byte)'"')) >= 0)
        {
            _output.Write(value[..(quote + 1)]);
            _output.Write((byte)'"');
            value = value[(quote + 1)..];
        }
        _output.Write(value);
        _output.Write((byte)'"');
    }
}
