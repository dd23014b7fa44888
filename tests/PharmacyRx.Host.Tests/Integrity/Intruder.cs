using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Host.Tests.Integrity;

/// <summary>
/// Someone with the database file but not the key password, writing as the service writes: events linked with the public
/// chain hash (no MAC, or a made-up one), covered rows with their hashes recorded in a forged RowsCovered event and in the
/// lookup copy. Works on the live file while the service runs.
/// </summary>
internal sealed class Intruder(string databasePath) : IAsyncDisposable
{
    private readonly SqliteConnection _connection = Open(databasePath);

    /// <summary>Appends an event after the head, linked with the public hash; returns its sequence.</summary>
    public async Task<long> AppendAsync(AuditEvent auditEvent, string? mac = null)
    {
        var (sequence, hash) = await _connection.QuerySingleAsync<(long, string)>("SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1");
        var linked = AuditChain.Link(sequence + 1, auditEvent, hash);
        // Without a MAC the insert names no mac column, as an intruder on a schema without one would write it.
        await _connection.ExecuteAsync(mac is null
            ? """
              INSERT INTO audit_events (sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash)
              VALUES (@Sequence, @At, @Type, @Actor, @Outcome, @Target, @Details, @PreviousHash, @Hash)
              """
            : """
              INSERT INTO audit_events (sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac)
              VALUES (@Sequence, @At, @Type, @Actor, @Outcome, @Target, @Details, @PreviousHash, @Hash, @Mac)
              """, new
        {
            linked.Sequence, At = ReceiptSeal.FormatTimestamp(auditEvent.OccurredAt), auditEvent.Type, auditEvent.Actor, Outcome = auditEvent.Outcome.ToString(),
            auditEvent.Target, auditEvent.Details, linked.PreviousHash, linked.Hash, Mac = mac,
        });
        return linked.Sequence;
    }

    /// <summary>Records a row already in the table as covered: a forged RowsCovered event and its lookup copy. Returns the event's sequence.</summary>
    public async Task<long> CoverAsync(string table, string key, string where)
    {
        var columns = (await _connection.QueryAsync<string>($"SELECT name FROM pragma_table_info('{table}') ORDER BY cid")).ToArray();
        var text = await _connection.QuerySingleAsync<byte[]>(
            $"SELECT CAST(concat_ws(',', {string.Join(", ", columns.Select(c => $"quote({c})"))}) AS BLOB) FROM {table} WHERE {where}");
        var hash = Convert.ToHexStringLower(SHA256.HashData([.. Encoding.UTF8.GetBytes(table + "\u001f"), .. text]));
        var sequence = await AppendAsync(new AuditEvent(DateTimeOffset.UtcNow, AuditEventTypes.RowsCovered, "system:coverage", AuditOutcome.Success, table,
            RowCoverage.Details([(key, hash)])));
        await _connection.ExecuteAsync("""
            INSERT OR REPLACE INTO coverage_rows (table_name, row_key, row_hash, audit_sequence) VALUES (@table, @key, @hash, @sequence)
            """, new { table, key, hash, sequence });
        return sequence;
    }

    public Task<int> ExecuteAsync(string sql, object? parameters = null) => _connection.ExecuteAsync(sql, parameters);

    public Task<T> ScalarAsync<T>(string sql, object? parameters = null) => _connection.ExecuteScalarAsync<T>(sql, parameters)!;

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False;Foreign Keys=False;Default Timeout=30");
        connection.Open();
        return connection;
    }
}
