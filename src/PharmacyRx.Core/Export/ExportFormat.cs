namespace PharmacyRx.Core.Export;

/// <summary>The file formats an inspector's export is written in (1304.04(h)(5), 1311.205(b)(12)).</summary>
public enum ExportFormat
{
    /// <summary>RFC 4180 CSV, UTF-8 with a byte-order mark so spreadsheets read it as UTF-8.</summary>
    Csv,

    /// <summary>An Excel workbook: header row frozen, autofilter on, dates as dates, numbers as numbers.</summary>
    Xlsx,

    /// <summary>A standalone SQLite database file with one table of rows in export order and one of export facts.</summary>
    Sqlite,
}
