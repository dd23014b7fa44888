using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using DocumentFormat.OpenXml.Validation;
using Microsoft.Data.Sqlite;

namespace PharmacyRx.Testing;

/// <summary>
/// Reads inspector exports back as a reader of each format would: an RFC 4180 parser for CSV, the OpenXML SDK for XLSX
/// (with its schema validator), SQLite for the database file. Every reader gives rows of cell texts, header first.
/// </summary>
public static class ExportFiles
{
    /// <summary>One XLSX sheet as read back: its name, rows (dates as yyyy-MM-dd), and what the export promises of it.</summary>
    public sealed record Sheet(string Name, IReadOnlyList<string?[]> Rows, string? AutoFilter, bool HeaderFrozen, IReadOnlyList<string> DateCells);

    /// <summary>Parses RFC 4180: quoted fields with doubled quotes, CRLF records. Returns the BOM-less rows.</summary>
    public static List<string?[]> ReadCsv(byte[] bytes)
    {
        var preamble = Encoding.UTF8.Preamble;
        if (!bytes.AsSpan().StartsWith(preamble))
        {
            throw new FormatException("no UTF-8 byte-order mark");
        }
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, preamble.Length, bytes.Length - preamble.Length);
        var rows = new List<string?[]>();
        var fields = new List<string?>();
        var field = new StringBuilder();
        var quoted = false;
        var any = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    any = true;
                    break;
                case '"':
                    throw new FormatException($"a quote inside an unquoted field at {i}");
                case ',':
                    fields.Add(field.Length == 0 && !any ? null : field.ToString());
                    field.Clear();
                    any = false;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    fields.Add(field.Length == 0 && !any ? null : field.ToString());
                    rows.Add([.. fields]);
                    fields.Clear();
                    field.Clear();
                    any = false;
                    i++;
                    break;
                case '\r' or '\n':
                    throw new FormatException($"a bare line break at {i}: records end with CRLF");
                default:
                    field.Append(c);
                    any = true;
                    break;
            }
        }
        if (fields.Count > 0 || field.Length > 0)
        {
            throw new FormatException("the last record does not end with CRLF");
        }
        return rows;
    }

    /// <summary>Opens the workbook with the OpenXML SDK, validates it against the schema, and reads every sheet.</summary>
    public static List<Sheet> ReadXlsx(string path)
    {
        using var document = SpreadsheetDocument.Open(path, false);
        var errors = new OpenXmlValidator(FileFormatVersions.Office2010).Validate(document)
            .Select(e => $"{e.Part?.Uri} {e.Path?.XPath}: {e.Description}").ToList();
        if (errors.Count > 0)
        {
            throw new FormatException("the workbook does not validate:\n" + string.Join('\n', errors.Take(10)));
        }
        var workbook = document.WorkbookPart!;
        var dateStyles = DateStyleIndexes(workbook.WorkbookStylesPart!.Stylesheet);
        var sheets = new List<Sheet>();
        foreach (var sheet in workbook.Workbook.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>())
        {
            var part = (WorksheetPart)workbook.GetPartById(sheet.Id!);
            var worksheet = part.Worksheet;
            var rows = new List<string?[]>();
            var dates = new List<string>();
            foreach (var row in worksheet.Descendants<Row>())
            {
                var cells = new string?[PharmacyRx.Core.Export.ExportColumns.Count];
                var column = -1;
                foreach (var cell in row.Elements<Cell>())
                {
                    // A cell's reference is optional (ECMA-376 18.3.1.4): without one it is the next column.
                    column = cell.CellReference?.Value is { } reference ? ColumnIndex(reference) : column + 1;
                    var isDate = cell.StyleIndex is { } style && dateStyles.Contains(style.Value);
                    if (isDate)
                    {
                        dates.Add(cell.CellReference?.Value ?? $"{(char)('A' + column)}{rows.Count + 1}");
                    }
                    cells[column] = cell.DataType?.Value == CellValues.InlineString
                        ? cell.InlineString!.Text!.Text
                        : isDate
                            ? DateOnly.FromDateTime(DateTime.FromOADate(double.Parse(cell.CellValue!.Text, CultureInfo.InvariantCulture))).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                            : cell.CellValue?.Text;
                }
                rows.Add(cells);
            }
            var pane = worksheet.Descendants<Pane>().SingleOrDefault();
            var frozen = pane is { State.Value: var state, VerticalSplit.Value: 1 } && state == PaneStateValues.Frozen;
            sheets.Add(new Sheet(sheet.Name!.Value!, rows, worksheet.Elements<AutoFilter>().SingleOrDefault()?.Reference?.Value, frozen, dates));
        }
        return sheets;
    }

    /// <summary>The rows of the SQLite export in <c>row_number</c> order, header first, numbers as their invariant text.</summary>
    public static (List<string?[]> Rows, Dictionary<string, string> Info) ReadSqlite(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM prescription_records ORDER BY row_number";
        var rows = new List<string?[]>();
        using (var reader = command.ExecuteReader())
        {
            rows.Add([.. Enumerable.Range(1, reader.FieldCount - 1).Select(reader.GetName)]);
            while (reader.Read())
            {
                var cells = new string?[reader.FieldCount - 1];
                for (var i = 1; i < reader.FieldCount; i++)
                {
                    cells[i - 1] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
                }
                rows.Add(cells);
            }
        }
        command.CommandText = "SELECT name, value FROM export_info";
        var info = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                info[reader.GetString(0)] = reader.GetString(1);
            }
        }
        return (rows, info);
    }

    private static HashSet<uint> DateStyleIndexes(Stylesheet stylesheet)
    {
        var dateFormats = stylesheet.NumberingFormats?.Elements<NumberingFormat>()
            .Where(f => f.FormatCode!.Value!.Contains("yy", StringComparison.OrdinalIgnoreCase)).Select(f => f.NumberFormatId!.Value).ToHashSet() ?? [];
        return stylesheet.CellFormats!.Elements<CellFormat>()
            .Select((format, index) => (format, index))
            .Where(x => x.format.NumberFormatId?.Value is { } id && (dateFormats.Contains(id) || id is >= 14 and <= 22))
            .Select(x => (uint)x.index).ToHashSet();
    }

    private static int ColumnIndex(string reference)
    {
        var index = 0;
        foreach (var c in reference.TakeWhile(char.IsAsciiLetter))
        {
            index = index * 26 + (c - 'A' + 1);
        }
        return index - 1;
    }
}
