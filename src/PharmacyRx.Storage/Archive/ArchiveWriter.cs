using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Prescriptions;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Archive;

/// <summary>
/// The archive's single writer: callers hand in sealed entries and await the outcome; whatever has queued commits as
/// one transaction with the entries' audit events (group commit: one fsync under <c>synchronous=FULL</c> for many
/// messages). A caller's task completes only after its commit, the point at which a bus may ack.
/// </summary>
public sealed partial class ArchiveWriter : IAsyncDisposable
{
    private readonly Database _database;
    private readonly ILogger<ArchiveWriter> _logger;
    private readonly ArchiveWriterOptions _options;
    private readonly Channel<Pending> _queue;
    private readonly Task _loop;
    private Session? _session;

    // The positions, among the values inserted, of each covered table's hashed columns in the table's order: learned from
    // the database by the writer's first commit, then read by callers to hash their rows before queueing them.
    private volatile HashedColumns? _hashed;

    public ArchiveWriter(Database database, ArchiveWriterOptions options, ILogger<ArchiveWriter> logger)
    {
        _database = database;
        _options = options;
        _logger = logger;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Transactions committed so far; with many callers in flight it is far below the entries written.</summary>
    public long CommittedBatches { get; private set; }

    /// <summary>Where the writer's time goes, per stage of a commit (the benchmark prints it).</summary>
    internal WriterProfile Profile { get; } = new();

    /// <summary>Archives an entry; completes after the commit that holds it.</summary>
    public async Task<ArchiveResult> AppendAsync(ArchiveEntry entry, CancellationToken cancellationToken)
    {
        // The row's values, its coverage hash and its audit events are worked out here, on the caller's thread (the
        // pipeline runs many at once), so the single writer only looks up, inserts and chains.
        var pending = new Pending(entry, PreparedRow.From(entry, _hashed),
            new TaskCompletionSource<ArchiveResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Completion.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_options.MaxBatchSize);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < _options.MaxBatchSize && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            await WriteAsync(batch);
            batch.Clear();
        }
    }

    private async Task WriteAsync(List<Pending> batch)
    {
        try
        {
            var results = await CommitAsync(batch);
            var started = WriterProfile.Now();
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.SetResult(results[i]);
            }
            Profile.Add(WriterProfile.Stage.Answer, started);
            return;
        }
        catch (Exception ex) when (batch.Count > 1 || _database.Dialect.IsDuplicateKey(ex))
        {
            // One bad entry must not fail its neighbours: retry each alone so only the culprit sees the fault. A duplicate
            // key means another instance archived the same message after our look-up (the unique index decides between
            // instances on one database): retried, the look-up finds that record and the answer is the duplicate's.
            LogBatchFailed(_logger, ex, batch.Count);
        }
        catch (Exception ex)
        {
            batch[0].Completion.SetException(ex);
            return;
        }

        foreach (var pending in batch)
        {
            try
            {
                pending.Completion.SetResult((await CommitAsync([pending]))[0]);
            }
            catch (Exception ex)
            {
                pending.Completion.SetException(ex);
            }
        }
    }

    private async Task<ArchiveResult[]> CommitAsync(IReadOnlyList<Pending> batch)
    {
        var session = _session ??= await Session.OpenAsync(_database, Profile);
        try
        {
            // Instances on one database write one at a time, from before their look-ups (SQLite: one writer anyway).
            var started = WriterProfile.Now();
            await using var transaction = await _database.BeginWriteAsync(session.Connection, CancellationToken.None);
            started = Profile.Add(WriterProfile.Stage.Begin, started);
            var results = new ArchiveResult[batch.Count];
            var events = new List<AuditEvent>(batch.Count);
            // The rows are hashed from the values inserted, not read back: the ingest path's share of coverage.
            var hashed = _hashed ??= await HashedColumns.ReadAsync(session.Connection, transaction);
            var written = new HashedColumns.Written(hashed, batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                results[i] = await session.ArchiveAsync(transaction, batch[i].Entry, batch[i].Row, events, written);
            }
            await session.Audit.AppendAsync(transaction, events, written.ByTable, Profile);
            started = WriterProfile.Now();
            await transaction.CommitAsync();
            Profile.Add(WriterProfile.Stage.Commit, started);
            CommittedBatches++;
            return results;
        }
        catch
        {
            // The connection may be unusable after a fault; the next batch opens a fresh one.
            _session = null;
            await session.DisposeAsync();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Archive batch of {Count} failed; committing its entries one by one")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);


    /// <summary>The writer's connection and its prepared statements.</summary>
    private sealed class Session(DbConnection connection, WriterProfile profile) : IAsyncDisposable
    {
        private readonly PreparedCommand _existing = new(connection, """
            SELECT receipt_id, message_id, status, reason_code, reason, as_received_sha256
            FROM prescription_archive WHERE dedupe_key = @DedupeKey
            """, "@DedupeKey");

        // Every record of one (sender, MessageID): a range on the dedupe key's unique index, so still one lookup a message.
        private readonly PreparedCommand _sameMessageId = new(connection, """
            SELECT receipt_id, message_id, status, reason_code, reason, as_received_sha256
            FROM prescription_archive
            WHERE dedupe_key >= @Scope AND dedupe_key < @ScopeEnd AND message_id = @MessageId
            ORDER BY received_at, receipt_id
            """, "@Scope", "@ScopeEnd", "@MessageId");

        private readonly PreparedCommand _insert = new(connection,
            $"INSERT INTO prescription_archive ({string.Join(", ", PreparedRow.ArchiveColumnNames)}) VALUES ({string.Join(", ", PreparedRow.ArchiveColumnNames.Select(c => "@" + c))})",
            PreparedRow.ArchiveColumnNames.Select(c => "@" + c).ToArray());

        private readonly PreparedCommand _prescription = new(connection, """
            INSERT INTO prescriptions (receipt_id, received_at, patient_key, prescriber_key, drug_key, dea_schedule, written_date,
                                       earliest_fill_date, quantity, quantity_unit, refills_authorized)
            VALUES (@ReceiptId, @ReceivedAt, @PatientKey, @PrescriberKey, @DrugKey, @Schedule, @WrittenDate,
                    @EarliestFillDate, @Quantity, @QuantityUnit, @Refills)
            """,
            "@ReceiptId", "@ReceivedAt", "@PatientKey", "@PrescriberKey", "@DrugKey", "@Schedule", "@WrittenDate",
            "@EarliestFillDate", "@Quantity", "@QuantityUnit", "@Refills");

        // A CancelRx that came before its NewRx (ArchiveQueries.SelectRecord's link, the same terms): the first waiting one.
        private readonly PreparedCommand _waitingCancelRx = new(connection, """
            SELECT receipt_id FROM prescription_archive
            WHERE relates_to_message_id = @MessageId AND transaction_kind = 'CancelRx' AND reason_code = 'CancelTargetNotFound'
              AND cancel_binding = @Binding
            ORDER BY received_at
            """, "@MessageId", "@Binding");

        // The NewRx a CancelRx that found none names, written since the pipeline looked (before this transaction began).
        private readonly PreparedCommand _arrivedNewRx = new(connection, """
            SELECT receipt_id FROM prescription_archive
            WHERE message_id = @MessageId AND transaction_kind = 'NewRx' AND cancel_binding = @Binding
            ORDER BY received_at
            """, "@MessageId", "@Binding");

        public DbConnection Connection { get; } = connection;

        public AuditAppender Audit { get; } = new(connection);

        public static async Task<Session> OpenAsync(Database database, WriterProfile profile) => new(await database.OpenAsync(CancellationToken.None), profile);

        public async Task<ArchiveResult> ArchiveAsync(DbTransaction transaction, ArchiveEntry entry, PreparedRow row, List<AuditEvent> events, HashedColumns.Written written)
        {
            var started = WriterProfile.Now();
            string? firstOfMessageId = null;
            await using (var existing = entry.ReuseScope is { } scope
                ? await _sameMessageId.ReadAsync(transaction, scope, scope[..^1] + (char)(scope[^1] + 1), entry.MessageId)
                : await _existing.ReadAsync(transaction, entry.DedupeKey))
            {
                while (await existing.ReadAsync())
                {
                    var receiptId = existing.GetString(0);
                    firstOfMessageId ??= receiptId;
                    if (existing.GetString(5) != entry.AsReceivedSha256)
                    {
                        continue;
                    }
                    // Same bytes again from the same sender (a retry, a redelivery): no second record, the first outcome stands.
                    events.Add(new AuditEvent(
                        entry.ReceivedAt, AuditEventTypes.DuplicateReceived, entry.Actor, AuditOutcome.Success, receiptId,
                        $"source={entry.Source}; messageId={entry.MessageId}; duplicate of the archived record; no second record"));
                    return new ArchiveResult(
                        Guid.Parse(receiptId), existing.IsDBNull(1) ? "" : existing.GetString(1), Enum.Parse<PrescriptionStatus>(existing.GetString(2)),
                        existing.GetString(3), existing.GetString(4), IsDuplicate: true);
                }
            }
            if (firstOfMessageId is not null && entry.ReusesReceiptId is null)
            {
                // Different bytes under a (sender, MessageID) already archived: nothing is dropped, but the caller must
                // re-decide (and re-seal) the entry for review before it is written.
                return new ArchiveResult(entry.ReceiptId, entry.MessageId, entry.Decision.Status, entry.Decision.ReasonCode, entry.Decision.Reason, IsDuplicate: false)
                {
                    MessageIdFirstArchivedAs = Guid.Parse(firstOfMessageId),
                };
            }

            started = profile.Add(WriterProfile.Stage.Lookup, started);
            await _insert.ExecuteAsync(transaction, row.Archive);
            started = profile.Add(WriterProfile.Stage.ArchiveInsert, started);
            written.Archived(row);
            started = profile.Add(WriterProfile.Stage.RowHash, started);

            if (row.Search is { } search)
            {
                // The pharmacy's prescription number and the search keys, in the same transaction as the record.
                await _prescription.ExecuteAsync(transaction, search);
                started = profile.Add(WriterProfile.Stage.SearchRow, started);
                if (written.HashesSearchRows)
                {
                    written.Searchable(InsertedRowid(), row);
                }
                started = profile.Add(WriterProfile.Stage.RowHash, started);
            }

            events.AddRange(row.Events);
            if (row.WaitingCancel is var (messageId, binding))
            {
                await BindWaitingCancelAsync(transaction, entry, row, messageId, binding, events);
            }
            profile.Add(WriterProfile.Stage.RowValues, started);
            var decision = entry.Decision;
            return new ArchiveResult(entry.ReceiptId, entry.MessageId, decision.Status, decision.ReasonCode, decision.Reason, IsDuplicate: false);
        }

        /// <summary>
        /// Records <c>PrescriptionCancelled</c> when this row completes a cancellation whose CancelRx came first: a NewRx
        /// that a waiting CancelRx names, or a CancelRx whose NewRx was written after the pipeline looked for it.
        /// </summary>
        private async Task BindWaitingCancelAsync(DbTransaction transaction, ArchiveEntry entry, PreparedRow row, string messageId, string binding, List<AuditEvent> events)
        {
            var isNewRx = entry.Message?.Kind == TransactionKind.NewRx;
            string? other = null;
            await using (var found = await (isNewRx ? _waitingCancelRx : _arrivedNewRx).ReadAsync(transaction, messageId, binding))
            {
                if (await found.ReadAsync())
                {
                    other = found.GetString(0);
                }
            }
            if (other is not null)
            {
                events.Add(isNewRx
                    ? PreparedRow.CancelledBeforeArrival(entry, row.ReceiptId, other)
                    : PreparedRow.CancelledBeforeArrival(entry, other, row.ReceiptId));
            }
        }

        /// <summary>The prescription number the search row's insert was given, so the row can be hashed from its values.</summary>
        private long InsertedRowid() => Database.DialectOf(Connection).LastInsertedId(Connection);

        public async ValueTask DisposeAsync()
        {
            await _existing.DisposeAsync();
            await _sameMessageId.DisposeAsync();
            await _insert.DisposeAsync();
            await _prescription.DisposeAsync();
            await _waitingCancelRx.DisposeAsync();
            await _arrivedNewRx.DisposeAsync();
            await Audit.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }

    private sealed record Pending(ArchiveEntry Entry, PreparedRow Row, TaskCompletionSource<ArchiveResult> Completion);
}
