using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// Reads the rows of a covered table with their row hashes (<see cref="RowHasher"/>): the columns in the table's
/// own order, less those hashed elsewhere. The writer, the dispensing rules and verify all hash rows here.
/// </summary>
public static class CoveredRows
{
    /// <summary>
    /// The hashed columns of a table, in the table's order, with their types. SQL Server's ledger columns are hidden and
    /// so not among them: the ledger vouches for those itself.
    /// </summary>
    public static async Task<RowColumn[]> ColumnsAsync(DbConnection connection, DbTransaction? transaction, CoveredTable table, CancellationToken cancellationToken)
    {
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            $"SELECT * FROM {table.Name} WHERE 1 = 0", transaction: transaction, cancellationToken: cancellationToken));
        return Enumerable.Range(0, reader.FieldCount)
            .Where(ordinal => !table.HashedElsewhere.Contains(reader.GetName(ordinal)))
            .Select(ordinal => new RowColumn(reader.GetName(ordinal), reader.GetFieldType(ordinal)))
            .ToArray();
    }

    /// <summary>Every row of a table as (key, hash), in key order.</summary>
    public static async IAsyncEnumerable<(string Key, string Hash)> ReadAllAsync(
        DbConnection connection, DbTransaction? transaction, CoveredTable table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var columns = await ColumnsAsync(connection, transaction, table, cancellationToken);
        var dialect = Database.DialectOf(connection);
        var sql = $"SELECT {table.KeyExpression(exact: dialect.ExactText)}, {dialect.RowText(columns)} FROM {table.Name}";
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return (KeyOf(reader), RowHasher.Hash(table.Name, reader, 1));
        }
    }

    /// <summary>The hash of one row, or null when there is no such row.</summary>
    public static async Task<string?> HashAsync(
        DbConnection connection, DbTransaction? transaction, CoveredTable table, string key, CancellationToken cancellationToken)
    {
        var columns = await ColumnsAsync(connection, transaction, table, cancellationToken);
        var dialect = Database.DialectOf(connection);
        var sql = $"SELECT {dialect.RowText(columns)} FROM {table.Name} WHERE {table.KeyExpression(exact: dialect.ExactText)} = @Key";
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, new { Key = key }, transaction, cancellationToken: cancellationToken));
        return await reader.ReadAsync(cancellationToken) ? RowHasher.Hash(table.Name, reader, 0) : null;
    }

    /// <summary>The row key in the first column of the current row.</summary>
    internal static string KeyOf(DbDataReader reader) =>
        Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
