using System.Globalization;
using Microsoft.Data.Sqlite;
using PharmacyRx.Core.Export;
using SQLitePCL;

namespace PharmacyRx.Storage.Export;

/// <summary>
/// A standalone SQLite database file: <c>prescription_records</c> holds the rows in export order (<c>row_number</c>),
/// numbers as numbers and dates as yyyy-MM-dd text; <c>export_info</c> says what the export is of. Written in one
/// transaction without a journal (a new file nobody else reads); a failed export leaves a file the caller deletes.
/// </summary>
public sealed class SqliteExportWriter : IExportWriter
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly sqlite3_stmt _insert;
    private readonly Range[] _columns = new Range[ExportColumns.Count + 1];
    private long _row;

    /// <param name="path">A file that does not exist yet.</param>
    public SqliteExportWriter(string path)
    {
        if (File.Exists(path))
        {
            throw new IOException($"{path} exists; the export writes a new file");
        }
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        _connection.Open();
        var columns = ExportColumns.All;
        using (var create = _connection.CreateCommand())
        {
            var definitions = string.Join(",\n  ", columns.Select(c => $"{c.SqlName} {SqlType(c.Kind)}".TrimEnd()));
            create.CommandText = $"""
                PRAGMA journal_mode = OFF;
                PRAGMA synchronous = OFF;
                CREATE TABLE prescription_records (
                  row_number INTEGER NOT NULL PRIMARY KEY,
                  {definitions}
                );
                CREATE TABLE export_info (name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
                """;
            create.ExecuteNonQuery();
        }
        _transaction = _connection.BeginTransaction();
        // Bound straight from the record's bytes, one prepared statement for every row.
        var insert = $"""
            INSERT INTO prescription_records (row_number, {string.Join(", ", columns.Select(c => c.SqlName))})
            VALUES ({string.Join(", ", Enumerable.Repeat("?", columns.Count + 1))})
            """;
        Check(raw.sqlite3_prepare_v2(_connection.Handle, insert, out _insert));
    }

    public void Write(ReadOnlySpan<byte> record)
    {
        Check(raw.sqlite3_bind_int64(_insert, 1, ++_row));
        var count = ExportRecord.Split(record, _columns);
        for (var i = 0; i < count; i++)
        {
            var value = record[_columns[i]];
            var parameter = i + 2;
            if (ExportRecord.IsNull(value))
            {
                Check(raw.sqlite3_bind_null(_insert, parameter));
            }
            else if (ExportColumns.All[i].Kind == ExportColumnKind.Number && ExportColumns.IsPlainNumber(value))
            {
                Check(value.Contains((byte)'.')
                    ? raw.sqlite3_bind_double(_insert, parameter, double.Parse(value, CultureInfo.InvariantCulture))
                    : raw.sqlite3_bind_int64(_insert, parameter, long.Parse(value, CultureInfo.InvariantCulture)));
            }
            else
            {
                Check(raw.sqlite3_bind_text(_insert, parameter, value));
            }
        }
        if (raw.sqlite3_step(_insert) != raw.SQLITE_DONE)
        {
            Check(raw.sqlite3_errcode(_connection.Handle));
        }
        Check(raw.sqlite3_reset(_insert));
    }

    public void Complete(ExportDescription description, long rows)
    {
        using var info = _connection.CreateCommand();
        info.Transaction = _transaction;
        info.CommandText = "INSERT INTO export_info (name, value) VALUES ($name, $value)";
        var name = info.Parameters.Add("$name", SqliteType.Text);
        var value = info.Parameters.Add("$value", SqliteType.Text);
        foreach (var (key, text) in new[]
        {
            ("exported_at", description.ExportedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            ("exported_by", description.ExportedBy),
            ("sort", description.Sort.ToString()),
            ("filter", description.Filter),
            ("time_zone", description.TimeZone),
            ("rows", rows.ToString(CultureInfo.InvariantCulture)),
            ("source", "PharmacyRx inspector export (21 CFR 1304.04(h)(5), 1311.205(b)(12))"),
        })
        {
            name.Value = key;
            value.Value = text;
            info.ExecuteNonQuery();
        }
        _transaction.Commit();
    }

    public void Dispose()
    {
        _insert.Dispose();
        _transaction.Dispose();
        _connection.Dispose();
    }

    // A number column has no declared type (no affinity), so each value keeps the storage class it is written with: a
    // plain number as a number, anything else (say "007") as the recorded text. NUMERIC affinity would turn "007" into 7.
    private static string SqlType(ExportColumnKind kind) => kind == ExportColumnKind.Number ? "" : "TEXT";

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            throw new SqliteException($"SQLite Error {result}: '{raw.sqlite3_errmsg(_connection.Handle).utf8_to_string()}'.", result);
        }
    }
}
