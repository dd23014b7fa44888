using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PharmacyRx.Storage.Export;

/// <summary>
/// Export rows straight from SQLite's column bytes (no strings per cell), in one sequential pass: over 1M rows this
/// measured two to three times faster than SQLite's own ORDER BY or a reader. Part of the SQLite dialect.
/// </summary>
public sealed class SqliteExportRows : IExportRowReader
{
    public long Read(DbConnection connection, string sql, IReadOnlyList<(string Name, object Value)> parameters, Action<IExportRow> add, CancellationToken cancellationToken)
    {
        var handle = ((SqliteConnection)connection).Handle!;
        Check(handle, raw.sqlite3_prepare_v2(handle, sql, out var statement));
        using (statement)
        {
            foreach (var (name, value) in parameters)
            {
                var index = raw.sqlite3_bind_parameter_index(statement, name);
                Check(handle, value is long number ? raw.sqlite3_bind_int64(statement, index, number) : raw.sqlite3_bind_text(statement, index, (string)value));
            }
            var row = new Row(statement);
            long rows = 0;
            int step;
            while ((step = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                if ((++rows & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
                add(row);
            }
            Check(handle, step == raw.SQLITE_DONE ? raw.SQLITE_OK : step);
            return rows;
        }
    }

    private sealed class Row(sqlite3_stmt statement) : IExportRow
    {
        public long Number(int column) => raw.sqlite3_column_int64(statement, column);

        public bool IsNull(int column) => raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL;

        public ReadOnlySpan<byte> Utf8(int column) => raw.sqlite3_column_blob(statement, column);
    }

    private static void Check(sqlite3 handle, int result)
    {
        if (result != raw.SQLITE_OK)
        {
            throw new SqliteException($"SQLite Error {result}: '{raw.sqlite3_errmsg(handle).utf8_to_string()}'.", result);
        }
    }
}
