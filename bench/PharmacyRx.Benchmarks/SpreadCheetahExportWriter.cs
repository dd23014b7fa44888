using System.Globalization;
using System.Text;
using PharmacyRx.Core.Export;
using SpreadCheetah;
using SpreadCheetah.Styling;
using SpreadCheetah.Worksheets;

namespace PharmacyRx.Benchmarks;

/// <summary>
/// The inspector's XLSX written with SpreadCheetah instead of the service's <see cref="XlsxExportWriter"/>, for the side
/// by side benchmark: the same sheets of at most 1,048,575 rows, frozen bold header, dates as dates and plain numbers as
/// numbers. SpreadCheetah is asynchronous; <see cref="IExportWriter"/> is not, so a row that fills its buffer waits here.
/// Its autofilter is fixed when a sheet starts, so it covers the header row only.
/// </summary>
internal sealed class SpreadCheetahExportWriter : IExportWriter
{
    private static readonly string LastColumn = "T";

    private readonly Spreadsheet _spreadsheet;
    private readonly StyleId _header;
    private readonly StyleId _date;
    private readonly Range[] _columns = new Range[ExportColumns.Count + 1];
    private readonly Cell[] _cells = new Cell[ExportColumns.Count];
    private readonly char[] _text = new char[1 << 16];
    private int _sheets;
    private int _row;

    public SpreadCheetahExportWriter(Stream output)
    {
        _spreadsheet = Wait(Spreadsheet.CreateNewAsync(output, new SpreadCheetahOptions { BufferSize = 1 << 16 }));
        _header = _spreadsheet.AddStyle(new Style { Font = { Bold = true } });
        _date = _spreadsheet.AddStyle(new Style { Format = NumberFormat.Custom("yyyy-mm-dd") });
        StartSheet();
    }

    public void Write(ReadOnlySpan<byte> record)
    {
        if (_row > XlsxExportWriter.RowsPerSheet)
        {
            StartSheet();
        }
        var count = ExportRecord.Split(record, _columns);
        var used = 0;
        for (var i = 0; i < count; i++)
        {
            var value = record[_columns[i]];
            if (value.IsEmpty || ExportRecord.IsNull(value))
            {
                _cells[i] = default;
                continue;
            }
            _cells[i] = ExportColumns.All[i].Kind switch
            {
                ExportColumnKind.Date when ExportColumns.AsDate(value) is { } day => new Cell(day.ToDateTime(TimeOnly.MinValue), _date),
                ExportColumnKind.Number when ExportColumns.IsPlainNumber(value) => new Cell(double.Parse(value, CultureInfo.InvariantCulture)),
                _ => new Cell(Text(value, ref used)),
            };
        }
        Wait(_spreadsheet.AddRowAsync(_cells.AsMemory(0, count)));
        _row++;
    }

    public void Complete(ExportDescription description, long rows) => Wait(_spreadsheet.FinishAsync());

    public void Dispose() => _spreadsheet.Dispose();

    private void StartSheet()
    {
        _sheets++;
        var options = new WorksheetOptions { FrozenRows = 1, AutoFilter = new AutoFilterOptions($"A1:{LastColumn}1") };
        for (var i = 0; i < ExportColumns.Count; i++)
        {
            options.Column(i + 1).Width = ExportColumns.All[i].Kind == ExportColumnKind.Text ? 24 : 14;
        }
        Wait(_spreadsheet.StartWorksheetAsync(_sheets == 1 ? "Prescriptions" : $"Prescriptions {_sheets}", options));
        Wait(_spreadsheet.AddHeaderRowAsync(ExportColumns.All.Select(c => c.Header).ToArray(), _header));
        _row = 1;
    }

    // The row's texts decoded into one buffer, each cell a slice of it (no string per cell); a row longer than the
    // buffer gets strings.
    private ReadOnlyMemory<char> Text(ReadOnlySpan<byte> value, ref int used)
    {
        if (Encoding.UTF8.GetMaxCharCount(value.Length) > _text.Length - used)
        {
            return Encoding.UTF8.GetString(value).AsMemory();
        }
        var length = Encoding.UTF8.GetChars(value, _text.AsSpan(used));
        var text = _text.AsMemory(used, length);
        used += length;
        return text;
    }

    private static void Wait(ValueTask task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            task.AsTask().GetAwaiter().GetResult();
        }
    }

    private static T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();
}
