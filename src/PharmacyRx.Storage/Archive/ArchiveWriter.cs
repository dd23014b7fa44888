using System.Data.Common;
using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Logging;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
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
    private DbConnection? _connection;

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
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
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
        var connection = _connection ??= await _database.OpenAsync(CancellationToken.None);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync();
            var results = new ArchiveResult[batch.Count];
            var events = new List<AuditEvent>(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                results[i] = await ArchiveAsync(connection, transaction, batch[i].Entry, events);
            }
            await AuditLog.AppendAsync(connection, transaction, events, CancellationToken.None);
            await transaction.CommitAsync();
            CommittedBatches++;
            return results;
        }
        catch
        {
            // The connection may be unusable after a fault; the next batch opens a fresh one.
            _connection = null;
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<ArchiveResult> ArchiveAsync(
        DbConnection connection, DbTransaction transaction, ArchiveEntry entry, List<AuditEvent> events)
    {
        const string existingSql = """
            SELECT receipt_id, message_id, status, reason_code, reason
            FROM prescription_archive WHERE dedupe_key = @DedupeKey
            """;
        var existing = await connection.QuerySingleOrDefaultAsync<ExistingRow>(
            new CommandDefinition(existingSql, new { entry.DedupeKey }, transaction));
        if (existing is not null)
        {
            // Same message again (a sender's retry, a bus redelivery): no second record, the first outcome stands.
            events.Add(new AuditEvent(
                entry.ReceivedAt, AuditEventTypes.DuplicateReceived, entry.Actor, AuditOutcome.Success, existing.ReceiptId,
                $"source={entry.Source}; messageId={entry.MessageId}; duplicate of the archived record; no second record"));
            return new ArchiveResult(
                Guid.Parse(existing.ReceiptId), existing.MessageId ?? "", Enum.Parse<PrescriptionStatus>(existing.Status),
                existing.ReasonCode, existing.Reason, IsDuplicate: true);
        }

        const string insertSql = """
            INSERT INTO prescription_archive (
              receipt_id, received_at, source, dedupe_key, message_id, relates_to_message_id, prescriber_order_number,
              transaction_kind, status, reason_code, reason, missing_elements, dea_schedule, prescriber_dea_number,
              prescriber_name, patient_name, drug_description, written_date, cancels_receipt_id, canonical_elements,
              as_received, as_received_sha256, receipt_signature, signer_thumbprint)
            VALUES (
              @ReceiptId, @ReceivedAt, @Source, @DedupeKey, @MessageId, @RelatesToMessageId, @PrescriberOrderNumber,
              @TransactionKind, @Status, @ReasonCode, @Reason, @MissingElements, @DeaSchedule, @PrescriberDeaNumber,
              @PrescriberName, @PatientName, @DrugDescription, @WrittenDate, @CancelsReceiptId, @CanonicalElements,
              @AsReceived, @AsReceivedSha256, @ReceiptSignature, @SignerThumbprint)
            """;
        var row = ArchiveColumns.From(entry);
        await connection.ExecuteAsync(new CommandDefinition(insertSql, row, transaction));

        var decision = entry.Decision;
        var failed = decision.Status is PrescriptionStatus.Rejected or PrescriptionStatus.Invalid;
        events.Add(new AuditEvent(
            entry.ReceivedAt, AuditEventTypes.PrescriptionReceived, entry.Actor,
            failed ? AuditOutcome.Failure : AuditOutcome.Success, row.ReceiptId,
            $"source={entry.Source}; messageId={entry.MessageId}; kind={row.TransactionKind}; status={decision.Status}; reasonCode={decision.ReasonCode}"));
        if (entry.CancelsReceiptId is { } cancelled)
        {
            events.Add(new AuditEvent(
                entry.ReceivedAt, AuditEventTypes.PrescriptionCancelled, entry.Actor, AuditOutcome.Success, cancelled.ToString("D"),
                $"cancelled by CancelRx receipt {row.ReceiptId}; no longer dispensable"));
        }
        return new ArchiveResult(entry.ReceiptId, entry.MessageId, decision.Status, decision.ReasonCode, decision.Reason, IsDuplicate: false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Archive batch of {Count} failed; committing its entries one by one")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);

    private sealed record Pending(ArchiveEntry Entry, TaskCompletionSource<ArchiveResult> Completion);

    private sealed class ExistingRow
    {
        public string ReceiptId { get; init; } = "";
        public string? MessageId { get; init; }
        public string Status { get; init; } = "";
        public string ReasonCode { get; init; } = "";
        public string Reason { get; init; } = "";
    }
}
