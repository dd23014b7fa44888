using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace PharmacyRx.Storage.Integrity;

/// <summary>
/// A throw-away SQLite file in the temporary folder (whatever engine holds the pharmacy's data) with (key, hash) pairs
/// sorted on disk: what the audit chain recorded of a table and the table's rows, so <see cref="CoverageVerifier"/>
/// compares any number of rows in bounded memory.
/// </summary>
internal sealed class SqliteCoverageScratch : IDisposable
{
    private static readonly string[] ParameterNames = ["$tbl", "$key", "$hash", "$pos"];

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"pharmacyrx-verify-{Guid.NewGuid():N}.db");
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly SqliteCommand _record;
    private readonly SqliteCommand _actual;
    private long _position;

    public SqliteCoverageScratch()
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());
        _connection.Open();
        // Nothing here outlives the run: no journal, no sync; the page cache stays small (64 MiB).
        Execute("""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -65536;
            CREATE TABLE recorded (tbl TEXT NOT NULL, key TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (tbl, key)) WITHOUT ROWID;
            CREATE TABLE actual (tbl TEXT NOT NULL, pos INTEGER NOT NULL, key TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (tbl, pos)) WITHOUT ROWID;
            CREATE INDEX actual_key ON actual (tbl, key);
            """);
        _transaction = _connection.BeginTransaction();
        // The last recording of a key is what the chain holds of it (a mutable table's row changes).
        _record = Prepare("""
            INSERT INTO recorded (tbl, key, hash) VALUES ($tbl, $key, $hash) ON CONFLICT (tbl, key) DO UPDATE SET hash = excluded.hash
            """);
        _actual = Prepare("""
            INSERT INTO actual (tbl, pos, key, hash) VALUES ($tbl, $pos, $key, $hash)
            """);
    }

    /// <summary>What the chain recorded of a row (<see cref="Core.Audit.RowCoverage.Deleted"/> for a deleted one).</summary>
    public void Record(string table, string key, string hash)
    {
        _record.Parameters["$tbl"].Value = table;
        _record.Parameters["$key"].Value = key;
        _record.Parameters["$hash"].Value = hash;
        _record.ExecuteNonQuery();
    }

    /// <summary>A row as the table holds it now, in the order it was read.</summary>
    public void Actual(string table, string key, string hash)
    {
        _actual.Parameters["$tbl"].Value = table;
        _actual.Parameters["$pos"].Value = ++_position;
        _actual.Parameters["$key"].Value = key;
        _actual.Parameters["$hash"].Value = hash;
        _actual.ExecuteNonQuery();
    }

    /// <summary>
    /// The table's rows (as given to <see cref="Actual"/>, in that order) that are not what the chain recorded: with the
    /// recorded hash, null when the chain never recorded the key.
    /// </summary>
    public IEnumerable<(string Key, string? Recorded)> Differing(string table)
    {
        using var command = Prepare("""
            SELECT a.key, r.hash FROM actual a LEFT JOIN recorded r ON r.tbl = a.tbl AND r.key = a.key
            WHERE a.tbl = $tbl AND (r.hash IS NULL OR r.hash <> a.hash)
            ORDER BY a.pos
            """);
        command.Parameters["$tbl"].Value = table;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
        }
    }

    /// <summary>The keys the chain recorded as present that no row given to <see cref="Actual"/> has, in key order.</summary>
    public IEnumerable<string> Missing(string table)
    {
        using var command = Prepare("""
            SELECT r.key FROM recorded r
            WHERE r.tbl = $tbl AND r.hash <> '-' AND NOT EXISTS (SELECT 1 FROM actual a WHERE a.tbl = r.tbl AND a.key = r.key)
            ORDER BY r.key
            """);
        command.Parameters["$tbl"].Value = table;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return reader.GetString(0);
        }
    }

    /// <summary>Every (key, hash) recorded of a table, in key order.</summary>
    public async IAsyncEnumerable<(string Key, string Hash)> RecordedAsync(string table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var command = Prepare("""
            SELECT key, hash FROM recorded WHERE tbl = $tbl ORDER BY key
            """);
        command.Parameters["$tbl"].Value = table;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return (reader.GetString(0), reader.GetString(1));
        }
    }

    private SqliteCommand Prepare(string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        foreach (var name in ParameterNames.Where(name => sql.Contains(name, StringComparison.Ordinal)))
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }
        return command;
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _record.Dispose();
        _actual.Dispose();
        _transaction.Dispose();
        _connection.Dispose();
        File.Delete(_path);
    }
}
