using System.Globalization;
using Microsoft.Data.Sqlite;
using PharmacyRx.Core.Export;

namespace PharmacyRx.Storage.Export;

/// <summary>
/// A standalone SQLite database file: <c>prescription_records</c> holds the rows in export order (<c>row_number</c>),
/// numbers as numbers and dates as yyyy-MM-dd text (SQLite's date form); <c>export_info</c> says what the export is of.
/// Written in one transaction without a journal (a new file nobody else reads); a failed export leaves a file the
/// caller deletes.
/// </summary>
public sealed class SqliteExportWriter : IExportWriter
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter[] _values;
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
        _insert = _connection.CreateCommand();
        _insert.Transaction = _transaction;
        _insert.CommandText = $"""
            INSERT INTO prescription_records (row_number, {string.Join(", ", columns.Select(c => c.SqlName))})
            VALUES ($row, {string.Join(", ", columns.Select((_, i) => $"$c{i}"))})
            """;
        _insert.Parameters.Add("$row", SqliteType.Integer);
        // No declared parameter type: each value is bound as what it is (integer, real or text).
        _values = [.. columns.Select((_, i) => _insert.Parameters.AddWithValue($"$c{i}", DBNull.Value))];
        _insert.Prepare();
    }

    public void Write(ExportRow row)
    {
        _insert.Parameters[0].Value = ++_row;
        var columns = ExportColumns.All;
        for (var i = 0; i < columns.Count; i++)
        {
            var value = columns[i].Value(row);
            _values[i].Value = value is null ? DBNull.Value
                : columns[i].Kind == ExportColumnKind.Number && ExportColumns.IsPlainNumber(value)
                    ? (value.Contains('.', StringComparison.Ordinal) ? double.Parse(value, CultureInfo.InvariantCulture) : (object)long.Parse(value, CultureInfo.InvariantCulture))
                    : value;
        }
        _insert.ExecuteNonQuery();
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
}
