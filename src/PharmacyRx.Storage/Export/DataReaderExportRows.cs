using System.Data;
using System.Data.Common;
using System.Text;

namespace PharmacyRx.Storage.Export;

/// <summary>
/// Export rows through ADO.NET (SQL Server's <c>SqlDataReader</c>): <see cref="CommandBehavior.SequentialAccess"/>, so a
/// row is streamed column by column and never buffered whole; each row's columns are taken once, in order, as UTF-8.
/// </summary>
public sealed class DataReaderExportRows : IExportRowReader
{
    public long Read(DbConnection connection, string sql, IReadOnlyList<(string Name, object Value)> parameters, Action<IExportRow> add, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        using var reader = command.ExecuteReader(CommandBehavior.SequentialAccess);
        var row = new Row(reader.FieldCount);
        long rows = 0;
        while (reader.Read())
        {
            if ((++rows & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            row.Take(reader);
            add(row);
        }
        return rows;
    }

    private sealed class Row(int columns) : IExportRow
    {
        private readonly long[] _numbers = new long[columns];
        private readonly byte[]?[] _texts = new byte[columns][];

        public void Take(DbDataReader reader)
        {
            for (var i = 0; i < _texts.Length; i++)
            {
                _texts[i] = null;
                _numbers[i] = 0;
                if (reader.IsDBNull(i))
                {
                    continue;
                }
                var value = reader.GetValue(i);
                if (value is string text)
                {
                    _texts[i] = Encoding.UTF8.GetBytes(text);
                }
                else
                {
                    _numbers[i] = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
                    _texts[i] = Encoding.UTF8.GetBytes(_numbers[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        public long Number(int column) => _numbers[column];

        public bool IsNull(int column) => _texts[column] is null;

        public ReadOnlySpan<byte> Utf8(int column) => _texts[column];
    }
}
