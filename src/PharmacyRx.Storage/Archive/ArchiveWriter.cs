using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Retrieval;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Archive;

/// <summary>
/// The single writer of the archive. Callers hand in sealed entries and await their outcome; the writer commits
/// whatever has queued up as one transaction (group commit), so with <c>synchronous=FULL</c> one fsync covers many
/// messages, and a caller's task completes only after its commit — the point at which a bus may ack.
/// Each entry's audit events are written in the same transaction as the entry.
/// </summary>
public sealed partial class ArchiveWriter : IAsyncDisposable
{
    private readonly Database _database;
    private readonly ILogger<ArchiveWriter> _logger;
    private readonly ArchiveWriterOptions _options;
    private readonly Channel<Pending> _queue;
    private readonly Task _loop;
    private Session? _session;

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
        var pending = new Pending(entry, new TaskCompletionSource<ArchiveResult>(TaskCreationOptions.RunContinuationsAsynchronously));
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
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.SetResult(results[i]);
            }
            return;
        }
        catch (Exception ex) when (batch.Count > 1)
        {
            // One bad entry must not fail its neighbours: retry each alone so only the culprit sees the fault.
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
            var started = Stopwatch.GetTimestamp();
            await using var transaction = await session.Connection.BeginTransactionAsync();
            started = Profile.Add(WriterProfile.Stage.Begin, started);
            var results = new ArchiveResult[batch.Count];
            var events = new List<AuditEvent>(batch.Count);
            // The archive rows are hashed from the values inserted, not read back: the ingest path's share of coverage.
            var archived = await session.HashesTheArchiveAsync(transaction) ? new List<(string Key, string Hash)>(batch.Count) : null;
            for (var i = 0; i < batch.Count; i++)
            {
                results[i] = await session.ArchiveAsync(transaction, batch[i].Entry, events, archived);
            }
            await session.Audit.AppendAsync(transaction, events,
                archived is null ? null : new Dictionary<string, List<(string Key, string Hash)>> { [ArchiveTable] = archived }, Profile);
            started = Stopwatch.GetTimestamp();
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

    private const string ArchiveTable = "prescription_archive";

    /// <summary>The writer's connection and its prepared statements.</summary>
    private sealed class Session(DbConnection connection, WriterProfile profile) : IAsyncDisposable
    {
        private static readonly string[] ColumnNames =
        [
            "receipt_id", "received_at", "source", "dedupe_key", "message_id", "relates_to_message_id", "prescriber_order_number",
            "transaction_kind", "status", "reason_code", "reason", "missing_elements", "dea_schedule", "prescriber_dea_number",
            "prescriber_name", "patient_name", "drug_description", "written_date", "cancels_receipt_id",
            "as_received", "as_received_sha256", "receipt_signature", "signer_thumbprint", "cancel_binding",
        ];

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
            $"INSERT INTO prescription_archive ({string.Join(", ", ColumnNames)}) VALUES ({string.Join(", ", ColumnNames.Select(c => "@" + c))})",
            ColumnNames.Select(c => "@" + c).ToArray());

        private readonly PreparedCommand _prescription = new(connection, """
            INSERT INTO prescriptions (receipt_id, received_at, patient_key, prescriber_key, drug_key, dea_schedule, written_date,
                                       earliest_fill_date, quantity, quantity_unit, refills_authorized)
            VALUES (@ReceiptId, @ReceivedAt, @PatientKey, @PrescriberKey, @DrugKey, @Schedule, @WrittenDate,
                    @EarliestFillDate, @Quantity, @QuantityUnit, @Refills)
            """,
            "@ReceiptId", "@ReceivedAt", "@PatientKey", "@PrescriberKey", "@DrugKey", "@Schedule", "@WrittenDate",
            "@EarliestFillDate", "@Quantity", "@QuantityUnit", "@Refills");

        public DbConnection Connection { get; } = connection;

        public AuditAppender Audit { get; } = new(connection);

        public static async Task<Session> OpenAsync(Database database, WriterProfile profile) => new(await database.OpenAsync(CancellationToken.None), profile);

        /// <summary>
        /// Whether the archive's hashed columns are all ones this writer inserts (asked once per connection), so a row's
        /// coverage hash can be worked out from the values inserted; otherwise the recorder reads the rows back.
        /// </summary>
        public async Task<bool> HashesTheArchiveAsync(DbTransaction transaction)
        {
            if (_hashedOrdinals is null)
            {
                var columns = await CoveredRows.ColumnsAsync(Connection, transaction, CoveredTables.Find(ArchiveTable)!, CancellationToken.None);
                var ordinals = columns.Select(column => Array.IndexOf(ColumnNames, column)).ToArray();
                _hashedOrdinals = ordinals.Contains(-1) ? [] : ordinals;
            }
            return _hashedOrdinals.Length > 0;
        }

        // The insert's value positions of the archive's hashed columns, in the table's order; empty when not all are inserted.
        private int[]? _hashedOrdinals;

        public async Task<ArchiveResult> ArchiveAsync(DbTransaction transaction, ArchiveEntry entry, List<AuditEvent> events, List<(string Key, string Hash)>? archived)
        {
            var started = Stopwatch.GetTimestamp();
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
            var row = ArchiveColumns.From(entry);
            started = profile.Add(WriterProfile.Stage.RowValues, started);
            await _insert.ExecuteAsync(transaction,
                row.ReceiptId, row.ReceivedAt, row.Source, row.DedupeKey, row.MessageId, row.RelatesToMessageId, row.PrescriberOrderNumber,
                row.TransactionKind, row.Status, row.ReasonCode, row.Reason, row.MissingElements, row.DeaSchedule, row.PrescriberDeaNumber,
                row.PrescriberName, row.PatientName, row.DrugDescription, row.WrittenDate, row.CancelsReceiptId,
                row.AsReceived, row.AsReceivedSha256, row.ReceiptSignature, row.SignerThumbprint, row.CancelBinding);
            started = profile.Add(WriterProfile.Stage.ArchiveInsert, started);
            if (archived is not null)
            {
                object?[] values =
                [
                    row.ReceiptId, row.ReceivedAt, row.Source, row.DedupeKey, row.MessageId, row.RelatesToMessageId, row.PrescriberOrderNumber,
                    row.TransactionKind, row.Status, row.ReasonCode, row.Reason, row.MissingElements, row.DeaSchedule, row.PrescriberDeaNumber,
                    row.PrescriberName, row.PatientName, row.DrugDescription, row.WrittenDate, row.CancelsReceiptId,
                    row.AsReceived, row.AsReceivedSha256, row.ReceiptSignature, row.SignerThumbprint, row.CancelBinding,
                ];
                archived.Add((row.ReceiptId, RowHasher.Hash(ArchiveTable, _hashedOrdinals!.Select(ordinal => values[ordinal]))));
            }
            started = profile.Add(WriterProfile.Stage.RowHash, started);

            if (entry.Message is { Kind: Core.Receiving.TransactionKind.NewRx, Elements: var elements })
            {
                // The pharmacy's prescription number and the search keys, in the same transaction as the record.
                var keys = entry.SearchKeys ?? PrescriptionKeys.From(elements);
                await _prescription.ExecuteAsync(transaction,
                    row.ReceiptId, row.ReceivedAt, keys.Patient, keys.Prescriber, keys.Drug, elements.DeaScheduleCode, elements.WrittenDate, elements.EarliestFillDate,
                    elements.QuantityValue, elements.QuantityUnit, elements.NumberOfRefills);
            }
            started = profile.Add(WriterProfile.Stage.SearchRow, started);

            var decision = entry.Decision;
            events.Add(new AuditEvent(
                entry.ReceivedAt, AuditEventTypes.PrescriptionReceived, entry.Actor,
                decision.Status.IsFailure() ? AuditOutcome.Failure : AuditOutcome.Success, row.ReceiptId,
                $"source={entry.Source}; messageId={entry.MessageId}; kind={row.TransactionKind}; status={decision.Status}; reasonCode={decision.ReasonCode}"));
            if (entry.CancelsReceiptId is { } cancelled)
            {
                events.Add(new AuditEvent(
                    entry.ReceivedAt, AuditEventTypes.PrescriptionCancelled, entry.Actor, AuditOutcome.Success, cancelled.ToString("D"),
                    $"cancelled by CancelRx receipt {row.ReceiptId}; no longer dispensable"));
            }
            profile.Add(WriterProfile.Stage.RowValues, started);
            return new ArchiveResult(entry.ReceiptId, entry.MessageId, decision.Status, decision.ReasonCode, decision.Reason, IsDuplicate: false);
        }

        public async ValueTask DisposeAsync()
        {
            await _existing.DisposeAsync();
            await _sameMessageId.DisposeAsync();
            await _insert.DisposeAsync();
            await _prescription.DisposeAsync();
            await Audit.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }

    private sealed record Pending(ArchiveEntry Entry, TaskCompletionSource<ArchiveResult> Completion);
}
