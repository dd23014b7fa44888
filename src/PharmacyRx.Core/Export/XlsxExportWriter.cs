using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace PharmacyRx.Core.Export;

/// <summary>
/// An Excel workbook (ECMA-376 SpreadsheetML) streamed into its zip entries, strings inline (a shared-string table
/// would hold every name in memory), so memory stays at a buffer. Frozen bold header, autofilter, real dates and
/// numbers; past Excel's 1,048,575 rows a sheet continues on the next.
/// </summary>
public sealed class XlsxExportWriter : IExportWriter
{
    /// <summary>Rows below the header that one sheet holds: Excel's 1,048,576 rows less the header.</summary>
    public const int RowsPerSheet = 1_048_575;

    private const string SheetNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string PackageRelationshipNamespace = "http://schemas.openxmlformats.org/package/2006/relationships";

    // Style indexes in styles.xml: 0 normal, 1 date (written as s="1" in each date cell), 2 bold header.
    private const int HeaderStyle = 2;

    private static readonly int Excel1900Epoch = new DateOnly(1899, 12, 30).DayNumber;
    private static readonly byte[][] ColumnLetters = [.. Enumerable.Range(0, ExportColumns.Count).Select(i => Encoding.ASCII.GetBytes(ColumnName(i)))];

    private readonly ZipArchive _zip;
    private readonly int _rowsPerSheet;
    // The last row number of each finished sheet (the header is row 1).
    private readonly List<int> _sheetRows = [];
    private readonly Range[] _columns = new Range[ExportColumns.Count + 1];
    private Stream? _sheetStream;
    private ByteOutput? _sheet;
    private int _row;

    /// <param name="output">A writable stream; disposed with the writer.</param>
    /// <param name="rowsPerSheet">Rows per sheet below the header; less than Excel's limit only to test the overflow.</param>
    public XlsxExportWriter(Stream output, int rowsPerSheet = RowsPerSheet)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowsPerSheet);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rowsPerSheet, RowsPerSheet);
        _rowsPerSheet = rowsPerSheet;
        _zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: false, Encoding.UTF8);
        StartSheet();
    }

    public void Write(ReadOnlySpan<byte> record)
    {
        if (_row > _rowsPerSheet)
        {
            EndSheet();
            StartSheet();
        }
        var sheet = _sheet!;
        _row++;
        Span<byte> number = stackalloc byte[12];
        _row.TryFormat(number, out var numberLength, default, CultureInfo.InvariantCulture);
        number = number[..numberLength];
        sheet.Write("<row r=\""u8);
        sheet.Write(number);
        sheet.Write("\">"u8);
        var count = ExportRecord.Split(record, _columns);
        for (var i = 0; i < count; i++)
        {
            var value = record[_columns[i]];
            if (value.IsEmpty || ExportRecord.IsNull(value))
            {
                continue;
            }
            sheet.Write("<c r=\""u8);
            sheet.Write(ColumnLetters[i]);
            sheet.Write(number);
            switch (ExportColumns.All[i].Kind)
            {
                case ExportColumnKind.Date when ExportColumns.AsDate(value) is { } day:
                    sheet.Write("\" s=\"1\"><v>"u8);
                    sheet.Write(day.DayNumber - Excel1900Epoch);
                    sheet.Write("</v></c>"u8);
                    break;
                case ExportColumnKind.Number when ExportColumns.IsPlainNumber(value):
                    sheet.Write("\"><v>"u8);
                    sheet.Write(value);
                    sheet.Write("</v></c>"u8);
                    break;
                default:
                    sheet.Write("\" t=\"inlineStr\"><is>"u8);
                    WriteText(sheet, value);
                    sheet.Write("</is></c>"u8);
                    break;
            }
        }
        sheet.Write("</row>"u8);
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
        _sheetStream?.Dispose();
        _zip.Dispose();
    }

    private void StartSheet()
    {
        var entry = _zip.CreateEntry($"xl/worksheets/sheet{_sheetRows.Count + 1}.xml", CompressionLevel.Fastest);
        _sheetStream = entry.Open();
        _sheet = new ByteOutput(_sheetStream);
        _sheet.Write($"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{SheetNamespace}" xmlns:r="{RelationshipNamespace}">""");
        // The header row frozen (pane below row 1).
        _sheet.Write("""<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>""");
        _sheet.Write("<cols>");
        for (var i = 0; i < ExportColumns.Count; i++)
        {
            var width = ExportColumns.All[i].Kind == ExportColumnKind.Text ? 24 : 14;
            _sheet.Write(string.Create(CultureInfo.InvariantCulture, $"""<col min="{i + 1}" max="{i + 1}" width="{width}" customWidth="1"/>"""));
        }
        _sheet.Write("</cols><sheetData><row r=\"1\">");
        for (var i = 0; i < ExportColumns.Count; i++)
        {
            _sheet.Write($"""<c r="{ColumnName(i)}1" s="{HeaderStyle}" t="inlineStr"><is>""");
            WriteText(_sheet, Encoding.UTF8.GetBytes(ExportColumns.All[i].Header));
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
        _sheetStream!.Dispose();
        _sheet = null;
        _sheetRows.Add(_row);
    }

    private static string FilterRange(int lastRow) => string.Create(CultureInfo.InvariantCulture, $"A1:{LastColumn}{lastRow}");

    private static readonly string LastColumn = ColumnName(ExportColumns.Count - 1);

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

    private static string AbsoluteRange(int lastRow) => string.Create(CultureInfo.InvariantCulture, $"$A$1:${LastColumn}${lastRow}");

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

    // <t> text: XML-escaped; characters XML cannot carry (and CR, which XML reads back as LF), and a literal "_xHHHH_"
    // that a reader would decode, are written as ST_Xstring escapes (_xHHHH_), so the cell reads back as recorded.
    // The text is valid UTF-8 (SQLite text from .NET strings); only ASCII bytes are examined.
    private static void WriteText(ByteOutput sheet, ReadOnlySpan<byte> value)
    {
        var preserve = value[0] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' || value[^1] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';
        sheet.Write(preserve ? "<t xml:space=\"preserve\">"u8 : "<t>"u8);
        while (value.IndexOfAny(XmlSpecial) is var at and >= 0)
        {
            sheet.Write(value[..at]);
            var b = value[at];
            if (b == '&')
            {
                sheet.Write("&amp;"u8);
            }
            else if (b == '<')
            {
                sheet.Write("&lt;"u8);
            }
            else if (b == '>')
            {
                sheet.Write("&gt;"u8);
            }
            else if (b == '_')
            {
                sheet.Write(IsEscapeLike(value[at..]) ? "_x005F_"u8 : "_"u8);
            }
            else
            {
                sheet.Write("_x00"u8);
                sheet.Write((byte)HexUpper[b >> 4]);
                sheet.Write((byte)HexUpper[b & 0xF]);
                sheet.Write((byte)'_');
            }
            value = value[(at + 1)..];
        }
        sheet.Write(value);
        sheet.Write("</t>"u8);
    }

    private const string HexUpper = "0123456789ABCDEF";

    // &, <, >, _ and the control characters other than tab and LF.
    private static readonly System.Buffers.SearchValues<byte> XmlSpecial = System.Buffers.SearchValues.Create(
        [(byte)'&', (byte)'<', (byte)'>', (byte)'_', .. Enumerable.Range(0, 32).Where(c => c is not '\t' and not '\n').Select(c => (byte)c)]);

    // "_xHHHH_" at the start of the text.
    private static bool IsEscapeLike(ReadOnlySpan<byte> text) =>
        text.Length >= 7 && text[1] == 'x' && text[6] == '_' && !text.Slice(2, 4).ContainsAnyExcept(HexDigits);

    private static readonly System.Buffers.SearchValues<byte> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF"u8);

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
