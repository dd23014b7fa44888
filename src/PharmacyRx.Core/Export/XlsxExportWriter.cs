using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace PharmacyRx.Core.Export;

/// <summary>
/// An Excel workbook (ECMA-376 SpreadsheetML) written as a stream: each sheet's XML goes straight into its zip entry, so
/// memory stays at a buffer however many rows there are. The header row is frozen and bold, the autofilter covers every
/// row, dates are real dates (serial numbers in a yyyy-mm-dd format) and plain numbers are numbers. A sheet holds at
/// most 1,048,575 rows under its header (Excel's limit); more rows continue on a next sheet with the same header.
/// Strings are written inline, not in a shared-string table, which would have to hold every distinct name in memory.
/// </summary>
public sealed class XlsxExportWriter : IExportWriter
{
    /// <summary>Rows below the header that one sheet holds: Excel's 1,048,576 rows less the header.</summary>
    public const int RowsPerSheet = 1_048_575;

    private const string SheetNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string PackageRelationshipNamespace = "http://schemas.openxmlformats.org/package/2006/relationships";

    // Style indexes in styles.xml: 0 normal, 1 date, 2 bold header.
    private const int DateStyle = 1;
    private const int HeaderStyle = 2;

    private static readonly int Excel1900Epoch = new DateOnly(1899, 12, 30).DayNumber;
    private static readonly string[] ColumnLetters = [.. Enumerable.Range(0, ExportColumns.All.Count).Select(ColumnName)];

    private readonly ZipArchive _zip;
    private readonly int _rowsPerSheet;
    // The last row number of each finished sheet (the header is row 1).
    private readonly List<int> _sheetRows = [];
    private StreamWriter? _sheet;
    private int _row;

    /// <param name="output">A writable stream; it is left open.</param>
    /// <param name="rowsPerSheet">Rows per sheet below the header; less than Excel's limit only to test the overflow.</param>
    public XlsxExportWriter(Stream output, int rowsPerSheet = RowsPerSheet)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowsPerSheet);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rowsPerSheet, RowsPerSheet);
        _rowsPerSheet = rowsPerSheet;
        _zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true, Encoding.UTF8);
        StartSheet();
    }

    public void Write(ExportRow row)
    {
        if (_row > _rowsPerSheet)
        {
            EndSheet();
            StartSheet();
        }
        var sheet = _sheet!;
        _row++;
        var number = _row.ToString(CultureInfo.InvariantCulture);
        sheet.Write("<row r=\"");
        sheet.Write(number);
        sheet.Write("\">");
        var columns = ExportColumns.All;
        for (var i = 0; i < columns.Count; i++)
        {
            var value = columns[i].Value(row);
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }
            sheet.Write("<c r=\"");
            sheet.Write(ColumnLetters[i]);
            sheet.Write(number);
            switch (columns[i].Kind)
            {
                case ExportColumnKind.Date when ExportColumns.AsDate(value) is { } day:
                    sheet.Write("\" s=\"1\"><v>");
                    sheet.Write((day.DayNumber - Excel1900Epoch).ToString(CultureInfo.InvariantCulture));
                    sheet.Write("</v></c>");
                    break;
                case ExportColumnKind.Number when ExportColumns.IsPlainNumber(value):
                    sheet.Write("\"><v>");
                    sheet.Write(value);
                    sheet.Write("</v></c>");
                    break;
                default:
                    sheet.Write("\" t=\"inlineStr\"><is>");
                    WriteText(sheet, value);
                    sheet.Write("</is></c>");
                    break;
            }
        }
        sheet.Write("</row>");
    }

    public void Complete(ExportDescription description, long rows)
    {
        EndSheet();
        WriteEntry("[Content_Types].xml", ContentTypes());
        WriteEntry("_rels/.rels", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="{PackageRelationshipNamespace}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """);
        WriteEntry("xl/workbook.xml", Workbook());
        WriteEntry("xl/_rels/workbook.xml.rels", WorkbookRelationships());
        WriteEntry("xl/styles.xml", Styles);
        _zip.Dispose();
    }

    public void Dispose()
    {
        _sheet?.Dispose();
        _zip.Dispose();
    }

    private void StartSheet()
    {
        var entry = _zip.CreateEntry($"xl/worksheets/sheet{_sheetRows.Count + 1}.xml", CompressionLevel.Fastest);
        _sheet = new StreamWriter(entry.Open(), new UTF8Encoding(false), bufferSize: 1 << 16);
        _sheet.Write($"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{SheetNamespace}" xmlns:r="{RelationshipNamespace}">""");
        // The header row frozen (pane below row 1).
        _sheet.Write("""<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>""");
        _sheet.Write("<cols>");
        for (var i = 0; i < ExportColumns.All.Count; i++)
        {
            var width = ExportColumns.All[i].Kind == ExportColumnKind.Text ? 24 : 14;
            _sheet.Write(string.Create(CultureInfo.InvariantCulture, $"""<col min="{i + 1}" max="{i + 1}" width="{width}" customWidth="1"/>"""));
        }
        _sheet.Write("</cols><sheetData><row r=\"1\">");
        for (var i = 0; i < ExportColumns.All.Count; i++)
        {
            _sheet.Write($"""<c r="{ColumnLetters[i]}1" s="{HeaderStyle}" t="inlineStr"><is>""");
            WriteText(_sheet, ExportColumns.All[i].Header);
            _sheet.Write("</is></c>");
        }
        _sheet.Write("</row>");
        _row = 1;
    }

    private void EndSheet()
    {
        if (_sheet is null)
        {
            return;
        }
        _sheet.Write($"""</sheetData><autoFilter ref="{FilterRange(_row)}"/></worksheet>""");
        _sheet.Dispose();
        _sheet = null;
        _sheetRows.Add(_row);
    }

    private static string FilterRange(int lastRow) => string.Create(CultureInfo.InvariantCulture, $"A1:{ColumnLetters[^1]}{lastRow}");

    private string Workbook()
    {
        var sheets = new StringBuilder();
        var names = new StringBuilder();
        for (var i = 0; i < _sheetRows.Count; i++)
        {
            var name = SheetName(i);
            sheets.Append(CultureInfo.InvariantCulture, $"""<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 1}"/>""");
            // Excel keeps an autofilter's range in this hidden name; readers that go by it find the filter too.
            names.Append(CultureInfo.InvariantCulture, $"""<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'{name}'!{AbsoluteRange(_sheetRows[i])}</definedName>""");
        }
        return $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="{SheetNamespace}" xmlns:r="{RelationshipNamespace}"><sheets>{sheets}</sheets><definedNames>{names}</definedNames></workbook>
            """;
    }

    private static string AbsoluteRange(int lastRow) => string.Create(CultureInfo.InvariantCulture, $"$A$1:${ColumnLetters[^1]}${lastRow}");

    private static string SheetName(int index) => index == 0 ? "Prescriptions" : string.Create(CultureInfo.InvariantCulture, $"Prescriptions {index + 1}");

    private string WorkbookRelationships()
    {
        var relationships = new StringBuilder();
        for (var i = 0; i < _sheetRows.Count; i++)
        {
            relationships.Append(CultureInfo.InvariantCulture,
                $"""<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>""");
        }
        relationships.Append(CultureInfo.InvariantCulture,
            $"""<Relationship Id="rId{_sheetRows.Count + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>""");
        return $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="{PackageRelationshipNamespace}">{relationships}</Relationships>
            """;
    }

    private string ContentTypes()
    {
        var sheets = new StringBuilder();
        for (var i = 0; i < _sheetRows.Count; i++)
        {
            sheets.Append(CultureInfo.InvariantCulture,
                $"""<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>""");
        }
        return $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{sheets}</Types>
            """;
    }

    private const string Styles = $"""
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="{SheetNamespace}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
        """;

    private void WriteEntry(string name, string content)
    {
        using var stream = _zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        writer.Write(content);
    }

    // <t> text: XML-escaped; characters XML cannot carry, and a literal "_xHHHH_" that a reader would decode, are written
    // as ST_Xstring escapes (_xHHHH_), so the cell reads back as the recorded text.
    private static void WriteText(StreamWriter sheet, string value)
    {
        var preserve = char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]);
        sheet.Write(preserve ? "<t xml:space=\"preserve\">" : "<t>");
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            string? escape = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '_' when IsEscapeLike(value, i) => "_x005F_",
                // A CR would be read back as LF (XML end-of-line handling); escaped, it comes back as recorded.
                < ' ' and not '\t' and not '\n' => string.Create(CultureInfo.InvariantCulture, $"_x{(int)c:X4}_"),
                _ when char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                       && !(char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(value[i - 1])) => "_xFFFD_",
                '\uFFFE' or '\uFFFF' => "_xFFFD_",
                _ => null,
            };
            if (escape is null)
            {
                continue;
            }
            sheet.Write(value.AsSpan(start, i - start));
            sheet.Write(escape);
            start = i + 1;
        }
        sheet.Write(value.AsSpan(start));
        sheet.Write("</t>");
    }

    private static bool IsEscapeLike(string value, int i) =>
        i + 6 < value.Length && value[i + 1] == 'x' && value[i + 6] == '_' && value.AsSpan(i + 2, 4).ContainsAnyExcept(HexDigits) is false;

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private static string ColumnName(int index)
    {
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            name = (char)('A' + (n - 1) % 26) + name;
        }
        return name;
    }
}
