using System.Data.Common;
using Dapper;

namespace PharmacyRx.Storage;

/// <summary>Opens prepared connections for a dialect. The one way code in this project reaches the database.</summary>
public sealed class Database(ISqlDialect dialect)
{
    static Database()
    {
        // Columns are snake_case, properties PascalCase.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public ISqlDialect Dialect { get; } = dialect;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = Dialect.CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken);
            await Dialect.PrepareAsync(connection, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
