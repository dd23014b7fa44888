using System.Text;
using PharmacyRx.Core.Export;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Export;

/// <summary>The CSV and XLSX writers on awkward text, and the XLSX sheet limit.</summary>
public class ExportWriterTests
{
    private static byte[] Row(long number, string patient, string? dateFilled = null) => ExportRecord.Encode(
    [
        number.ToString(System.Globalization.CultureInfo.InvariantCulture), "2026-11-01", "CII", patient, "1 Main St, Town, IL 62701", "Adams, Sam", "",
        "FT1234563", "Drug", "5 C28253", "C42998", "30", "C48542", "0", dateFilled, dateFilled is null ? null : "30", dateFilled is null ? null : "SP",
        dateFilled is null ? null : "0", "Active", "ReceiptSigned", "NewRx",
    ]);

    // Commas, quotes, line breaks, accents, a would-be formula, XML specials, a control character and a literal _x0041_.
    private static readonly string[] AwkwardNames =
    [
        "O\"Hara, Jr", "Line\r\nBreak", "Zoë Ångström", "=HYPERLINK(\"http://example.invalid\")", "-1+1", "<b>&amp;</b>", "Bell\u0007", "_x0041_ literal",
    ];

    [Test]
    public void CSV_quotes_what_RFC_4180_requires_and_guards_formulas_and_reads_back_the_same()
    {
        using var output = new MemoryStream();
        using (var writer = new CsvExportWriter(output))
        {
            for (var i = 0; i < AwkwardNames.Length; i++)
            {
                writer.Write(Row(i + 1, AwkwardNames[i]));
            }
            writer.Complete(new ExportDescription(DateTimeOffset.UtcNow, "t", ExportSort.Patient, "", "UTC"), AwkwardNames.Length);
        }

        var bytes = output.ToArray();
        var rows = ExportFiles.ReadCsv(bytes);

        Assert.That(rows.Skip(1).Select(r => r[3]), Is.EqualTo(AwkwardNames.Select(n => n[0] is '=' or '-' ? "'" + n : n)));
        Assert.That(rows[1][6], Is.Null, "an empty value is an empty field");
        Assert.That(Encoding.UTF8.GetString(bytes).Split("\r\n")[1], Does.StartWith("1,2026-11-01,CII,\"O\"\"Hara, Jr\",\"1 Main St, Town, IL 62701\""));
    }

    [Test]
    public void CSV_guards_a_formula_in_a_number_or_date_column_whose_value_is_not_a_number_or_date()
    {
        // 1304.04(h)(5) exports go to an inspector's spreadsheet: a prescriber's system controls these values as received.
        var row = ExportRecord.Encode(
        [
            "1", "=HYPERLINK(\"http://example.invalid\")", "CII", "Pat", "", "Adams, Sam", "", "FT1234563", "Drug", "5 C28253", "C42998",
            "@SUM(1+1)", "C48542", "+1", "2026-11-02", "-3", "SP", "\t=1", "Active", "ReceiptSigned", "NewRx",
        ]);
        using var output = new MemoryStream();
        using (var writer = new CsvExportWriter(output))
        {
            writer.Write(row);
            writer.Complete(new ExportDescription(DateTimeOffset.UtcNow, "t", ExportSort.Patient, "", "UTC"), 1);
        }

        var fields = ExportFiles.ReadCsv(output.ToArray())[1];

        Assert.That(fields[1], Is.EqualTo("'=HYPERLINK(\"http://example.invalid\")"), "written date");
        Assert.That(fields[11], Is.EqualTo("'@SUM(1+1)"), "quantity prescribed");
        Assert.That(fields[13], Is.EqualTo("'+1"), "refills authorized");
        Assert.That(fields[15], Is.EqualTo("-3"), "a plain negative number stays a number");
        Assert.That(fields[17], Is.EqualTo("'\t=1"), "refill number");
    }

    [TestCase("=1+1", "\"'=1+1\"")]
    [TestCase("-1", "-1")]
    [TestCase("-1+1", "\"'-1+1\"")]
    [TestCase("@cmd", "\"'@cmd\"")]
    [TestCase("a,b", "\"a,b\"")]
    [TestCase("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [TestCase("plain", "plain")]
    [TestCase("", "")]
    public void One_CSV_field_rule_serves_every_CSV_the_service_writes(string value, string field) =>
        Assert.That(CsvField.Format(value), Is.EqualTo(field));

    [Test]
    public void A_tab_separated_field_has_no_tab_or_line_break_and_no_formula()
    {
        Assert.That(CsvField.FormatTabSeparated("a\tb\r\nc"), Is.EqualTo("a b  c"));
        Assert.That(CsvField.FormatTabSeparated("=HYPERLINK(1)"), Is.EqualTo("'=HYPERLINK(1)"));
    }

    [Test]
    public void XLSX_keeps_awkward_text_as_recorded_and_validates()
    {
        using var folder = new TempFolder();
        var path = folder.File("awkward.xlsx");
        using (var file = File.Create(path))
        using (var writer = new XlsxExportWriter(file))
        {
            for (var i = 0; i < AwkwardNames.Length; i++)
            {
                writer.Write(Row(i + 1, AwkwardNames[i], "2026-11-02"));
            }
            writer.Complete(new ExportDescription(DateTimeOffset.UtcNow, "t", ExportSort.Patient, "", "UTC"), AwkwardNames.Length);
        }

        var sheet = ExportFiles.ReadXlsx(path).Single();

        // The SDK decodes _xHHHH_ escapes as Excel does; the control character comes back as itself.
        Assert.That(sheet.Rows.Skip(1).Select(r => DecodeEscapes(r[3]!)), Is.EqualTo(AwkwardNames));
        Assert.That(sheet.Rows[1][14], Is.EqualTo("2026-11-02"));
    }

    [Test]
    public void XLSX_continues_on_a_new_sheet_with_its_own_header_and_filter_when_a_sheet_is_full()
    {
        using var folder = new TempFolder();
        var path = folder.File("overflow.xlsx");
        using (var file = File.Create(path))
        using (var writer = new XlsxExportWriter(file, rowsPerSheet: 2))
        {
            for (var i = 1; i <= 5; i++)
            {
                writer.Write(Row(i, $"Patient {i}"));
            }
            writer.Complete(new ExportDescription(DateTimeOffset.UtcNow, "t", ExportSort.Patient, "", "UTC"), 5);
        }

        var sheets = ExportFiles.ReadXlsx(path);

        Assert.That(sheets.Select(s => s.Name), Is.EqualTo(new[] { "Prescriptions", "Prescriptions 2", "Prescriptions 3" }));
        Assert.That(sheets.Select(s => s.Rows[0][0]), Is.All.EqualTo("Prescription number"));
        Assert.That(sheets.SelectMany(s => s.Rows.Skip(1)).Select(r => r[3]), Is.EqualTo(Enumerable.Range(1, 5).Select(i => $"Patient {i}")));
        Assert.That(sheets.Select(s => s.AutoFilter), Is.EqualTo(new[] { "A1:Y3", "A1:Y3", "A1:Y2" }));
        Assert.That(sheets.Select(s => s.HeaderFrozen), Is.All.True);
    }

    [TestCase("30", true)]
    [TestCase("2.5", true)]
    [TestCase("0", true)]
    [TestCase("0.5", true)]
    [TestCase("-1", true)]
    [TestCase("007", false)]
    [TestCase("1e5", false)]
    [TestCase("1.", false)]
    [TestCase(".5", false)]
    [TestCase("1,000", false)]
    [TestCase("", false)]
    [TestCase("1234567890123456", false)]
    public void A_number_column_takes_only_plain_decimals_as_numbers(string text, bool number) =>
        Assert.That(ExportColumns.IsPlainNumber(Encoding.UTF8.GetBytes(text)), Is.EqualTo(number));

    // ST_Xstring: _xHHHH_ stands for the character HHHH.
    private static string DecodeEscapes(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, "_x([0-9A-Fa-f]{4})_", m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString());
}
