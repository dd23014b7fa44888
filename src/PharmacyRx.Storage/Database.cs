using System.Data.Common;
using Dapper;
using PharmacyRx.Core.Audit;

namespace PharmacyRx.Storage;

/// <summary>
/// Opens prepared connections for a dialect. The one way code in this project reaches the database. With the chain key
/// (<see cref="ChainKeys"/>, there when the key password was given) it can write to the audit trail.
/// </summary>
public sealed class Database(ISqlDialect dialect, ChainKeyRing? chainKeys = null)
{
    static Database()
    {
        // Columns are snake_case, properties PascalCase.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    // Every connection comes from OpenAsync, so code handed only a connection still finds its dialect.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbConnection, Database> Opened = new();

    public ISqlDialect Dialect { get; } = dialect;

    /// <summary>The audit chain's keys, or null where the key password was not given (then nothing can be appended).</summary>
    public ChainKeyRing? ChainKeys { get; } = chainKeys;

    /// <summary>
    /// The sequence of the chain's first keyed event (<see cref="AuditEventTypes.ChainKeyed"/>) once found; it never moves.
    /// </summary>
    internal long? KeyedFrom { get; set; }

    /// <summary>Covered rows already proven against a MAC-checked event: (table, key, row hash, event sequence). Bounded.</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<(string Table, string Key, string Hash, long Sequence), bool> ProvenRows { get; } = new();

    /// <summary>Whether the schema has the audit trail's MAC column (set once seen).</summary>
    internal bool MacColumn { get; set; }

    /// <summary>The dialect of a connection this class opened.</summary>
    public static ISqlDialect DialectOf(DbConnection connection) => Of(connection).Dialect;

    /// <summary>The database a connection was opened by.</summary>
    public static Database Of(DbConnection connection) =>
        Opened.TryGetValue(connection, out var database) ? database : throw new InvalidOperationException("a connection not opened through Database");

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
            Opened.AddOrUpdate(connection, this);
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
    /// Begins a write transaction as the one writer (<see cref="ISqlText.ExclusiveWriter"/>): SQLite's BEGIN IMMEDIATE
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
