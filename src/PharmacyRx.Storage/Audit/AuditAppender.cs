using System.Data.Common;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// Appends audit events on one connection with prepared statements, reading the chain head inside the caller's write
/// transaction under the write lock, so two writers (even two processes) cannot fork the chain. Every write path calls
/// it, so it also records the covered rows the transaction wrote (<see cref="CoverageRecorder"/>).
/// </summary>
internal sealed class AuditAppender(DbConnection connection, TimeProvider? time = null) : IAsyncDisposable
{
    /// <summary>The schema script that gives the trail its MAC column: from then on every append is keyed.</summary>
    public const int KeyedSchemaVersion = 31;
    public const string Actor = "system:chain";

    private readonly Database _database = Database.Of(connection);

    // Read under the dialect's lock on the chain, held to commit (SQL Server: sp_getapplock), so instances never fork it.
    private readonly PreparedCommand _head = new(connection, Database.DialectOf(connection).AuditHeadForAppend);

    private readonly PreparedCommand _insert = new(connection, """
        INSERT INTO audit_events (sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash)
        VALUES (@Sequence, @OccurredAt, @Type, @Actor, @Outcome, @Target, @Details, @PreviousHash, @Hash)
        """,
        "@Sequence", "@OccurredAt", "@Type", "@Actor", "@Outcome", "@Target", "@Details", "@PreviousHash", "@Hash");

    private readonly PreparedCommand _insertKeyed = new(connection, """
        INSERT INTO audit_events (sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac)
        VALUES (@Sequence, @OccurredAt, @Type, @Actor, @Outcome, @Target, @Details, @PreviousHash, @Hash, @Mac)
        """,
        "@Sequence", "@OccurredAt", "@Type", "@Actor", "@Outcome", "@Target", "@Details", "@PreviousHash", "@Hash", "@Mac");

    // The newest event the service wrote, at or below the head: the one its next event links to.
    private readonly PreparedCommand _written = new(connection, """
        SELECT sequence, hash, mac FROM audit_events WHERE sequence >= @From AND sequence <= @Head ORDER BY sequence DESC
        """, "@From", "@Head");

    private readonly CoverageRecorder _coverage = new(connection);

    /// <summary>
    /// Appends the events, and the coverage of the rows the transaction wrote; <paramref name="written"/> holds rows the
    /// caller hashed as it inserted them, by table (see <see cref="CoverageRecorder.PlanAsync"/>).
    /// </summary>
    public async Task AppendAsync(
        DbTransaction transaction, IReadOnlyList<AuditEvent> events, IReadOnlyDictionary<string, List<(string Key, string Hash)>>? written = null,
        Archive.WriterProfile? profile = null)
    {
        var started = Archive.WriterProfile.Now();
        var at = events.Count > 0 ? events[^1].OccurredAt : (time ?? TimeProvider.System).GetUtcNow();
        var coverage = await _coverage.PlanAsync(transaction, at, written);
        started = profile?.Add(Archive.WriterProfile.Stage.CoveragePlan, started) ?? started;
        if (events.Count == 0 && coverage.Tables.Count == 0 && coverage.Mismatches.Count == 0 && !coverage.Baseline)
        {
            return;
        }
        long sequence = 0;
        var previous = AuditChain.GenesisHash;
        await using (var head = await _head.ReadAsync(transaction))
        {
            if (await head.ReadAsync())
            {
                sequence = head.GetInt64(0);
                previous = head.GetString(1);
            }
        }
        var keys = await KeyedAsync(transaction)
            ? _database.ChainKeys ?? throw new ChainKeyUnavailableException()
            : null;
        IEnumerable<AuditEvent> leading = [];
        if (keys is not null)
        {
            if ((_database.KeyedFrom ??= await ChainKeyedAt.FindAsync(connection, transaction)) is { } keyedFrom)
            {
                previous = await LastWrittenAsync(transaction, keys, keyedFrom, sequence) ?? previous;
            }
            else
            {
                leading = [new AuditEvent(at, AuditEventTypes.ChainKeyed, Actor, AuditOutcome.Success, keys.Current.Id,
                    $"from sequence {sequence + 1} on every event carries a MAC under chain key {keys.Current.Id}; the events before it are hash-chained only")];
            }
        }
        foreach (var auditEvent in leading.Concat(events).Concat(coverage.Mismatches))
        {
            await InsertAsync(auditEvent);
        }
        await foreach (var (table, rows) in _coverage.TablesAsync(coverage, transaction))
        {
            await InsertAsync(new AuditEvent(at, AuditEventTypes.RowsCovered, CoverageRecorder.Actor, AuditOutcome.Success, table.Name, RowCoverage.Details(rows)));
            started = profile?.Add(Archive.WriterProfile.Stage.AuditChain, started) ?? started;
            await _coverage.RememberAsync(transaction, table, rows, sequence);
            started = profile?.Add(Archive.WriterProfile.Stage.CoverageLookup, started) ?? started;
        }
        profile?.Add(Archive.WriterProfile.Stage.AuditChain, started);

        async Task InsertAsync(AuditEvent auditEvent)
        {
            auditEvent = auditEvent.Bounded();
            var linked = AuditChain.Link(++sequence, auditEvent, previous);
            previous = linked.Hash;
            object?[] values = [linked.Sequence, ReceiptSeal.FormatTimestamp(auditEvent.OccurredAt), auditEvent.Type, auditEvent.Actor,
                auditEvent.Outcome.ToString(), auditEvent.Target, auditEvent.Details, linked.PreviousHash, linked.Hash];
            await (keys is null ? _insert.ExecuteAsync(transaction, values) : _insertKeyed.ExecuteAsync(transaction, [.. values, keys.Current.Mac(linked.Hash)]));
        }
    }

    /// <summary>
    /// The hash of the newest event the service wrote (its MAC holds), from the head down: the head itself unless events
    /// were appended behind the service's back, which its own events then link past (1311.215(a)(5)).
    /// </summary>
    private async Task<string?> LastWrittenAsync(DbTransaction transaction, ChainKeyRing keys, long keyedFrom, long head)
    {
        await using var reader = await _written.ReadAsync(transaction, keyedFrom, head);
        while (await reader.ReadAsync())
        {
            if (keys.Holds(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)))
            {
                return reader.GetString(1);
            }
        }
        return null;
    }

    // Whether the schema has the MAC column: once it does, every event is keyed.
    private async Task<bool> KeyedAsync(DbTransaction transaction)
    {
        if (_database.MacColumn)
        {
            return true;
        }
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT COUNT(*) FROM schema_migrations WHERE version = {KeyedSchemaVersion}";
        return _database.MacColumn = Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _coverage.DisposeAsync();
        await _head.DisposeAsync();
        await _insert.DisposeAsync();
        await _insertKeyed.DisposeAsync();
        await _written.DisposeAsync();
    }
}
