using System.Text;

namespace PharmacyRx.Core.Export;

/// <summary>
/// RFC 4180 CSV with CRLF line ends, each field by <see cref="CsvField"/> (quoting and the formula guard, in every
/// column). UTF-8 with a byte-order mark, so spreadsheet programs read accents correctly.
/// </summary>
public sealed class CsvExportWriter : IExportWriter
{
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
            var value = record[_columns[i]];
            if (!ExportRecord.IsNull(value))
            {
                CsvField.Write(_output, value);
            }
        }
        _output.Write("\r\n"u8);
    }

    public void Complete(ExportDescription description, long rows) => _output.Flush();

    public void Dispose()
    {
        _output.Dispose();
        _stream.Dispose();
    }
}
