using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using PharmacyRx.Core.Audit;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// Reads the rows of a covered table with their row hashes (<see cref="RowCoverage.Hash"/>): the columns in the table's
/// own order, less those hashed elsewhere. The writer, the dispensing rules and verify all hash rows here.
/// </summary>
public static class CoveredRows
{
    /// <summary>The hashed columns of a table, in the table's order.</summary>
    public static async Task<string[]> ColumnsAsync(DbConnection connection, DbTransaction? transaction, CoveredTable table, CancellationToken cancellationToken)
    {
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            $"SELECT * FROM {table.Name} LIMIT 0", transaction: transaction, cancellationToken: cancellationToken));
        return Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).Where(c => !table.HashedElsewhere.Contains(c)).ToArray();
    }

    /// <summary>Every row of a table as (key, hash), in key order.</summary>
    public static async IAsyncEnumerable<(string Key, string Hash)> ReadAllAsync(
        DbConnection connection, DbTransaction? transaction, CoveredTable table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var columns = await ColumnsAsync(connection, transaction, table, cancellationToken);
        var sql = $"SELECT {table.KeyExpression()}, {string.Join(", ", columns)} FROM {table.Name}";
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
        var values = new object?[columns.Length];
        while (await reader.ReadAsync(cancellationToken))
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i + 1) ? null : reader.GetValue(i + 1);
            }
            yield return (Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) ?? "", RowCoverage.Hash(table.Name, values));
        }
    }

    /// <summary>The hash of one row, or null when there is no such row.</summary>
    public static async Task<string?> HashAsync(
        DbConnection connection, DbTransaction? transaction, CoveredTable table, string key, CancellationToken cancellationToken)
    {
        var columns = await ColumnsAsync(connection, transaction, table, cancellationToken);
        var sql = $"SELECT {string.Join(", ", columns)} FROM {table.Name} WHERE {table.KeyExpression()} = @Key";
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, new { Key = key }, transaction, cancellationToken: cancellationToken));
        return await reader.ReadAsync(cancellationToken) ? RowCoverage.Hash(table.Name, Values(reader)) : null;
    }

    internal static object?[] Values(DbDataReader reader)
    {
        var values = new object?[reader.FieldCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }
        return values;
    }
}
