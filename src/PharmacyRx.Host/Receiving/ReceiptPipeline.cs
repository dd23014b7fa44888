using System.Security.Cryptography;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Prescriptions;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Operations;
using PharmacyRx.Host.Verification;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Receiving;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// The one path every entry point feeds (DESIGN.md, "The path of one prescription"): stamp, keep the bytes, read,
/// decide, seal with the pharmacy's receipt signature, archive with its audit events, and return the outcome once
/// it is committed. A message's identity is (sender, MessageID) plus its bytes (DESIGN.md, "Trust boundaries").
/// </summary>
/// <remarks>
/// The policy of every door is here, once (DESIGN.md, "One policy per concept"); a door only carries bytes in and the
/// outcome out. (1) The size cap: a body over <c>Receiving:MaxAcceptedBytes</c> is archived as Rejected/TooLarge with
/// its length, the SHA-256 of the whole and its first bytes only. (2) Nothing received is dropped: what cannot be read
/// is archived as Rejected with its reason, and a fault past reading that is about the message is archived as
/// Rejected/ProcessingFailed naming the fault. (3) A <see cref="StorageFault"/> (disk full, I/O error, read-only, lock
/// not granted, connection lost; or free space below the hard threshold, checked first) is never a verdict on the
/// message: nothing is archived and <see cref="StorageFaultException"/> is thrown, so the door hands the message back
/// (503 with Retry-After, no ack, a retry, the file left in the inbox, a non-zero exit). Cancellation is thrown too.
/// (4) The outcome: every other call returns the archived <see cref="ArchiveResult"/>; the sender is told Error when its
/// status <see cref="PrescriptionStatusRules.IsFailure"/>, else Status.
/// </remarks>
public sealed partial class ReceiptPipeline(
    ScriptMessageReader reader,
    ScriptReaderOptions options,
    DataFolder data,
    ISqlDialect dialect,
    PharmacySigningKey signingKey,
    ArchiveWriter writer,
    ArchiveQueries queries,
    SenderStore senders,
    SignatureVerification verification,
    TimeProvider time,
    FreeSpaceMonitor freeSpace,
    IngestRefusals refusals,
    OperationsMetrics metrics,
    ILogger<ReceiptPipeline> logger)
{
    /// <summary>How much of a body over the accepted size is kept: its first 64 KiB.</summary>
    public const int TooLargeKeptBytes = 64 * 1024;

    /// <summary>Receives a body held whole (the bus doors), under the door policy above.</summary>
    public Task<ArchiveResult> ReceiveAsync(ReadOnlyMemory<byte> body, ReceiptSource source, CancellationToken cancellationToken) =>
        body.Length > options.MaxAcceptedBytes
            ? ReceiveTooLargeAsync(body, body.Length, Convert.ToHexStringLower(SHA256.HashData(body.Span)), source, cancellationToken)
            : KeepingFailuresAsync(body, source, () => ArchiveAsync(body, source, reader.Read, null, cancellationToken), cancellationToken);

    /// <summary>
    /// Receives a body read from a stream (an HTTP request, an inbox file, a file given to <c>ingest</c>): held up to the
    /// accepted size; past it only hashed, with its first bytes kept, so an oversized body never costs its size in memory.
    /// Reading gives up after <paramref name="readTimeout"/> when one is given (an <see cref="OperationCanceledException"/>).
    /// </summary>
    public async Task<ArchiveResult> ReceiveAsync(
        Stream body, long? declaredLength, ReceiptSource source, TimeSpan? readTimeout, CancellationToken cancellationToken)
    {
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (readTimeout is { } timeout)
        {
            reading.CancelAfter(timeout);
        }
        InboundBody read;
        try
        {
            read = await InboundBody.ReadAsync(
                body, declaredLength, options.MaxAcceptedBytes, TooLargeKeptBytes, data.InboundSpillFolder, reading.Token);
        }
        catch (Exception ex) when (StorageFault.Of(ex, dialect) is { } fault)
        {
            // The spill file of a large body could not be written: the data folder's disk, not the message.
            throw Refuse(fault, ex, source);
        }
        using var held = read;
        return read.IsTooLarge
            ? await ReceiveTooLargeAsync(read.Bytes, read.Length, read.Sha256, source, cancellationToken)
            : await ReceiveAsync(read.Bytes, source, cancellationToken);
    }

    /// <summary>
    /// True for what the pipeline throws and the door hands back to its sender or transport for another try: a
    /// <see cref="StorageFaultException"/> or cancellation. Nothing was archived; the transport still holds the message.
    /// </summary>
    public static bool IsRetryable(Exception exception) => exception is OperationCanceledException or StorageFaultException;

    /// <summary>Whether an outcome is a body refused at the cap (a door that can answer "too large", as HTTP 413, does).</summary>
    public static bool IsRefusedForSize(ArchiveResult result) =>
        result.Status == PrescriptionStatus.Rejected && ReceiptDecision.IsTooLargeAtTheDoor(result.ReasonCode, result.Reason);

    /// <summary>
    /// Archives bytes whose processing failed for a reason that is not the message's (a fault past reading), as
    /// Rejected/ProcessingFailed with that reason without reading them, so that nothing received is lost: what a door
    /// does when it gives up processing (the raw queue at its delivery limit, a bus message still failing after its
    /// retries). Under the door policy above: the size cap, and a <see cref="StorageFaultException"/> when the storage refuses.
    /// </summary>
    public Task<ArchiveResult> ReceiveUnprocessableAsync(
        ReadOnlyMemory<byte> asReceived, ReceiptSource source, string reason, CancellationToken cancellationToken) =>
        ReceiveRejectedAsync(asReceived, source, RejectionCode.ProcessingFailed, reason, cancellationToken);

    /// <summary>
    /// Archives the transport body of a bus message whose envelope or JSON could not be read as
    /// Rejected/UnreadableEnvelope with <paramref name="reason"/>, under the door policy above.
    /// </summary>
    public Task<ArchiveResult> ReceiveUnreadableAsync(
        ReadOnlyMemory<byte> asReceived, ReceiptSource source, string reason, CancellationToken cancellationToken) =>
        ReceiveRejectedAsync(asReceived, source, RejectionCode.UnreadableEnvelope, reason, cancellationToken);

    private async Task<ArchiveResult> ReceiveRejectedAsync(
        ReadOnlyMemory<byte> asReceived, ReceiptSource source, RejectionCode code, string reason, CancellationToken cancellationToken)
    {
        string? sha256OfWhole = null;
        if (asReceived.Length > options.MaxAcceptedBytes)
        {
            // DESIGN.md, "Trust boundaries": a sender cannot fill the disk, whatever door gave up on its message.
            sha256OfWhole = Convert.ToHexStringLower(SHA256.HashData(asReceived.Span));
            reason = $"{reason}; {asReceived.Length} bytes, over the accepted size: only the first {TooLargeKeptBytes} are kept (SHA-256 of the whole body {sha256OfWhole})";
            asReceived = asReceived[..Math.Min(asReceived.Length, TooLargeKeptBytes)];
        }
        return await RefusingStorageFaultsAsync(source,
            () => ArchiveAsync(asReceived, source, _ => ReadResult.Rejected(code, reason), sha256OfWhole, cancellationToken));
    }

    /// <summary>
    /// Archives a body over the accepted size as Rejected/TooLarge (DESIGN.md, "Trust boundaries": a sender cannot fill
    /// the disk): only its first bytes (at most <see cref="TooLargeKeptBytes"/>), with its length and the SHA-256 of the
    /// whole body in the reason. The same body again from the same sender is a duplicate.
    /// </summary>
    private Task<ArchiveResult> ReceiveTooLargeAsync(
        ReadOnlyMemory<byte> firstBytes, long length, string sha256OfWhole, ReceiptSource source, CancellationToken cancellationToken)
    {
        var kept = firstBytes[..Math.Min(firstBytes.Length, TooLargeKeptBytes)];
        var decision = ReceiptDecision.TooLarge(length, sha256OfWhole, kept.Length, options.MaxAcceptedBytes);
        return KeepingFailuresAsync(kept, source,
            () => ArchiveAsync(kept, source, _ => ReadResult.Rejected(RejectionCode.TooLarge, decision.Reason), sha256OfWhole, cancellationToken),
            cancellationToken);
    }

    // DESIGN.md, "Messages": nothing received is dropped. A fault that is about the message (a bug its content met, a
    // constraint the database refused) is archived with the fault's type as its reason; a storage fault is the door's.
    private async Task<ArchiveResult> KeepingFailuresAsync(
        ReadOnlyMemory<byte> kept, ReceiptSource source, Func<Task<ArchiveResult>> archive, CancellationToken cancellationToken)
    {
        try
        {
            return await RefusingStorageFaultsAsync(source, archive);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or StorageFaultException))
        {
            LogFailed(logger, ex, source.Name);
            return await RefusingStorageFaultsAsync(source,
                () => ArchiveAsync(kept, source, _ => ReadResult.Rejected(RejectionCode.ProcessingFailed, $"processing failed: {ex.GetType().Name}"), null, cancellationToken));
        }
    }

    // A storage fault is never a verdict on the message: nothing is archived and the door hands the message back.
    private async Task<ArchiveResult> RefusingStorageFaultsAsync(ReceiptSource source, Func<Task<ArchiveResult>> archive)
    {
        if (freeSpace.Read() is { BelowHard: true } low)
        {
            // Refused before the database can fail half-way through a commit.
            throw Refuse(StorageFault.BelowHardThreshold(low.FreeBytes), null, source);
        }
        try
        {
            var archived = await archive();
            refusals.Archived();
            return archived;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && StorageFault.Of(ex, dialect) is { } fault)
        {
            throw Refuse(fault, ex, source);
        }
    }

    private StorageFaultException Refuse(StorageFault met, Exception? cause, ReceiptSource source)
    {
        var fault = met.Explained(freeSpace.Read());
        refusals.Refused(fault);
        metrics.Refused(source, fault.Name);
        LogRefused(logger, fault.Name);
        return new StorageFaultException(fault, cause);
    }

    private async Task<ArchiveResult> ArchiveAsync(
        ReadOnlyMemory<byte> asReceived, ReceiptSource source, Func<ReadOnlyMemory<byte>, ReadResult> readMessage, string? identitySha256,
        CancellationToken cancellationToken)
    {
        var receivedAt = time.GetUtcNow();
        var receiptId = Guid.CreateVersion7(receivedAt);
        // A span under the door's own (the HTTP request, the bus consume), with the receipt id as an attribute: traces
        // name a receipt, metrics never do.
        using var span = ReceiptTracing.Source.StartActivity("receipt");
        span?.SetTag("pharmacyrx.door", source.Door);
        span?.SetTag("pharmacyrx.receipt_id", receiptId.ToString("D"));
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(asReceived.Span));

        var read = readMessage(asReceived);
        var decision = ReceiptDecision.Decide(read);
        Guid? cancels = null;
        if (read.Message is { Kind: TransactionKind.CancelRx, Header: var header, Elements: var cancelElements })
        {
            (cancels, decision) = await BindCancelAsync(header, cancelElements, source, decision, cancellationToken);
        }

        var canonical = read.Message is { } message ? SignedElements.Format(message.Elements) : "";
        if (decision.Status == PrescriptionStatus.PendingRevocationCheck && read.Message is { } signed)
        {
            // 1311.210(c): a practitioner's or intermediary's signature is verified on receipt.
            var verdict = await verification.VerifyAsync(signed, canonical, receivedAt, recheck: false, cancellationToken);
            decision = decision.WithVerification(verdict);
        }
        if (read.Message is { } change && change.ReplacesOriginal())
        {
            (cancels, decision) = await BindChangeAsync(change, source, decision, cancellationToken);
        }
        if (read.Message is { Header.From: { Length: > 0 } from } && from != source.BoundFrom
            && await senders.BoundToOnReceiptAsync(from, cancellationToken) is { } holder)
        {
            // Another sender's bound identifier (its holder's own messages carry it as their BoundFrom), from any door: kept, shown to the pharmacist naming both, and cancelling
            // nothing (DESIGN.md, "Trust boundaries": a sender cannot submit as another).
            decision = decision.ForReview(ReceiptDecision.FromMismatch,
                $"Header/From is the identifier sender {holder} is bound to, but it came from {source.Name}");
            cancels = null;
        }
        else if (source.BoundFrom is { } boundFrom && read.Message is { Header.From: var sent } && sent != boundFrom)
        {
            // A sender bound to a Header/From identifier sent another: kept, and shown to the pharmacist (1311.205(b)(6)(ii)).
            decision = decision.ForReview(ReceiptDecision.FromMismatch,
                $"Header/From is not the identifier sender {source.Name} is bound to");
            cancels = null;
        }

        // A readable message is identified by its sender, MessageID and bytes; an unreadable one by its sender and bytes.
        var scope = read.Message is { } readable ? $"msg:{source.Name}\n{readable.Header.MessageId}\n" : null;
        var entry = new ArchiveEntry
        {
            ReceiptId = receiptId,
            ReceivedAt = receivedAt,
            Source = source.Name,
            Actor = source.Actor,
            DedupeKey = scope is not null ? scope + sha256 : $"raw:{source.Name}\n{identitySha256 ?? sha256}",
            ReuseScope = scope,
            MessageId = read.PartialMessageId,
            Message = read.Message,
            Decision = decision,
            CancelsReceiptId = cancels,
            AsReceived = asReceived,
            AsReceivedSha256 = sha256,
            ReceiptSignature = Seal(receiptId, receivedAt, sha256, decision, canonical),
            SignerThumbprint = signingKey.Thumbprint,
            SearchKeys = read.Message.IsPrescription() ? PrescriptionKeys.From(read.Message!.Elements) : null,
            CancelBinding = ReceiptDecision.CancelBindingKey(source.Name, read.Message),
        };
        ArchiveResult result;
        using (ReceiptTracing.Source.StartActivity("archive"))
        {
            result = await writer.AppendAsync(entry, cancellationToken);
            if (result.MessageIdFirstArchivedAs is { } first)
            {
                // Different bytes under a MessageID this sender used already: archived as their own record for review, never
                // taken for a duplicate and never cancelling anything (DESIGN.md, "Trust boundaries").
                var reviewed = decision.ForReview(ReceiptDecision.MessageIdReused, $"MessageID reused with different content; first archived as {first:D}");
                result = await writer.AppendAsync(entry with
                {
                    Decision = reviewed,
                    CancelsReceiptId = null,
                    ReusesReceiptId = first,
                    ReceiptSignature = Seal(receiptId, receivedAt, sha256, reviewed, canonical),
                }, cancellationToken);
            }
        }

        result = result with { SenderId = read.Message?.Header.From ?? "", ReceiverId = read.Message?.Header.To ?? "" };
        metrics.Received(source, result, time.GetUtcNow() - receivedAt);
        span?.SetTag("pharmacyrx.status", result.Status.ToString());
        span?.SetTag("pharmacyrx.duplicate", result.IsDuplicate);

        // Ids, statuses and reason codes only: no patient, prescriber or drug details in logs.
        LogReceived(logger, result.ReceiptId, source.Name, result.Status, result.ReasonCode, result.IsDuplicate);
        return result;
    }

    // 1311.210(a)(2): the pharmacy signs on receipt. Every archived record carries this seal, so verification can prove
    // any row unaltered, including those that also carry a practitioner's signature.
    private byte[] Seal(Guid receiptId, DateTimeOffset receivedAt, string sha256, ReceiptDecision decision, string canonical) =>
        signingKey.Sign(ReceiptSeal.Content(receiptId, receivedAt, sha256, decision.Status.ToString(), decision.ReasonCode, canonical));

    /// <summary>
    /// The NewRx a CancelRx cancels, if it binds: from the same sender, for the same prescriber and patient (DESIGN.md,
    /// "Trust boundaries"). Otherwise nothing is cancelled and the CancelRx goes to the pharmacist, naming what differed.
    /// </summary>
    private async Task<(Guid? Cancels, ReceiptDecision Decision)> BindCancelAsync(
        MessageHeader header, DeaElements cancel, ReceiptSource source, ReceiptDecision decision, CancellationToken cancellationToken)
    {
        if (await queries.FindCancelTargetAsync(header.RelatesToMessageId, header.PrescriberOrderNumber, source.Name, cancellationToken) is not { } target)
        {
            return (null, ReceiptDecision.CancelWithoutTarget());
        }
        // The target was archived as a NewRx, so it was read on receipt: by the rule of its day (see ArchivedReading).
        var prescription = reader.ReadAsFirstOccurrenceWins(target.AsReceived).Message?.Elements ?? new DeaElements();
        var mismatches = ReceiptDecision.CancelMismatches(target.Source == source.Name, cancel, prescription);
        return mismatches.Count == 0
            ? (target.ReceiptId, decision)
            : (null, ReceiptDecision.CancelWithoutBinding(target.ReceiptId, mismatches));
    }

    /// <summary>
    /// The prescription an approved change replaces, if it binds as a CancelRx must (DESIGN.md, "Trust boundaries"): the
    /// same sender, prescriber and patient. A change that failed its checks (Invalid) replaces nothing. Not found: the
    /// change stands on its own (the original may be on paper or at another pharmacy). Found but not binding: nothing is
    /// replaced and the change goes to the pharmacist, naming what differed.
    /// </summary>
    private async Task<(Guid? Replaces, ReceiptDecision Decision)> BindChangeAsync(
        ScriptMessage change, ReceiptSource source, ReceiptDecision decision, CancellationToken cancellationToken)
    {
        var header = change.Header;
        if (decision.Status.IsFailure()
            || await queries.FindCancelTargetAsync(header.RelatesToMessageId, header.PrescriberOrderNumber, source.Name, cancellationToken) is not { } target)
        {
            return (null, decision);
        }
        var original = reader.Read(target.AsReceived).Message?.Elements ?? new DeaElements();
        var mismatches = ReceiptDecision.CancelMismatches(target.Source == source.Name, change.Elements, original);
        return mismatches.Count == 0
            ? (target.ReceiptId, decision)
            : (null, decision.ChangeWithoutBinding(target.ReceiptId, mismatches));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message not archived, handed back to its door: storage fault {Fault}")]
    private static partial void LogRefused(ILogger logger, string fault);

    [LoggerMessage(Level = LogLevel.Error, Message = "Processing a message from {Source} failed; archiving it as rejected")]
    private static partial void LogFailed(ILogger logger, Exception exception, string source);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Received {ReceiptId} via {Source}: {Status} {ReasonCode} duplicate={Duplicate}")]
    private static partial void LogReceived(
        ILogger logger, Guid receiptId, string source, PrescriptionStatus status, string reasonCode, bool duplicate);
}
