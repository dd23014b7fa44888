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

    // Every connection comes from OpenAsync, so code handed only a connection still finds its dialect.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbConnection, ISqlDialect> Dialects = new();

    public ISqlDialect Dialect { get; } = dialect;

    /// <summary>The dialect of a connection this class opened.</summary>
    public static ISqlDialect DialectOf(DbConnection connection) =>
        Dialects.TryGetValue(connection, out var dialect) ? dialect : throw new InvalidOperationException("a connection not opened through Database");

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = Dialect.CreateConnection();
        try
        {
            try
            {
                await connection.OpenAsync(cancellationToken);
            }
            catch (DbException ex)
            {
                throw new StorageUnavailableException($"cannot open the database: {Dialect.Target}: {ex.Message}", ex);
            }
            Dialects.AddOrUpdate(connection, Dialect);
            await Dialect.PrepareAsync(connection, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Begins a write transaction as the one writer (<see cref="ISqlDialect.ExclusiveWriter"/>): SQLite's BEGIN IMMEDIATE
    /// already is; on SQL Server the instances sharing the database take turns the same way, so a look-up that decides a
    /// write (a duplicate, a prescription's fills, the chain's head) cannot race another instance. Every write goes through here.
    /// </summary>
    public async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Named, not left to the connection: SqlClient keeps the level a pooled connection last used (an export's snapshot).
        var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken);
        if (Dialect.ExclusiveWriter is { Length: > 0 } exclusive)
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(exclusive, transaction: transaction, cancellationToken: cancellationToken));
            }
            catch
            {
                await transaction.DisposeAsync();
                throw;
            }
        }
        return transaction;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction with the audit events it returns, so a change and its
    /// audit record commit together or not at all (1311.205(b)(13)). Nothing is committed when it returns no events
    /// and <c>Commit</c> false.
    /// </summary>
    public async Task<T> AuditedAsync<T>(
        Func<DbConnection, DbTransaction, Task<(T Result, IReadOnlyList<Core.Audit.AuditEvent> Events, bool Commit)>> work,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        var (result, events, commit) = await work(connection, transaction);
        if (commit || events.Count > 0)
        {
            await Audit.AuditLog.AppendAsync(connection, transaction, events, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        return result;
    }
}
