using System.Security.Cryptography;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Retrieval;
using PharmacyRx.Core.Signing;
using PharmacyRx.Host.Verification;
using PharmacyRx.Storage.Archive;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// The one path every entry point feeds (DESIGN.md, "The path of one prescription"): stamp, keep the bytes, read,
/// decide, seal with the pharmacy's receipt signature, archive with its audit events, and return the outcome once
/// it is committed. Nothing received is dropped: what cannot be read is archived as rejected with its reason.
/// </summary>
public sealed partial class ReceiptPipeline(
    ScriptMessageReader reader,
    PharmacySigningKey signingKey,
    ArchiveWriter writer,
    ArchiveQueries queries,
    SignatureVerification verification,
    TimeProvider time,
    ILogger<ReceiptPipeline> logger)
{
    public Task<ArchiveResult> ReceiveAsync(ReadOnlyMemory<byte> asReceived, ReceiptSource source, CancellationToken cancellationToken) =>
        ArchiveAsync(asReceived, source, reader.Read, cancellationToken);

    /// <summary>
    /// Archives bytes whose processing failed for a reason that is not the message's (a fault past reading), as
    /// rejected with that reason, so that nothing received is lost.
    /// </summary>
    public Task<ArchiveResult> ReceiveUnprocessableAsync(
        ReadOnlyMemory<byte> asReceived, ReceiptSource source, string reason, CancellationToken cancellationToken) =>
        ArchiveAsync(asReceived, source, _ => ReadResult.Rejected(RejectionCode.ProcessingFailed, reason), cancellationToken);

    private async Task<ArchiveResult> ArchiveAsync(
        ReadOnlyMemory<byte> asReceived, ReceiptSource source, Func<ReadOnlyMemory<byte>, ReadResult> readMessage, CancellationToken cancellationToken)
    {
        var receivedAt = time.GetUtcNow();
        var receiptId = Guid.CreateVersion7(receivedAt);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(asReceived.Span));

        var read = readMessage(asReceived);
        var decision = ReceiptDecision.Decide(read);
        Guid? cancels = null;
        if (read.Message is { Kind: TransactionKind.CancelRx, Header: var header })
        {
            cancels = await queries.FindCancelTargetAsync(header.RelatesToMessageId, header.PrescriberOrderNumber, cancellationToken);
            decision = cancels is null ? ReceiptDecision.CancelWithoutTarget() : decision;
        }

        var canonical = read.Message is { } message ? SignedElements.Format(message.Elements) : "";
        if (decision.Status == PrescriptionStatus.PendingRevocationCheck && read.Message is { } signed)
        {
            // 1311.210(c): a practitioner's or intermediary's signature is verified on receipt.
            var verdict = await verification.VerifyAsync(signed, canonical, receivedAt, recheck: false, cancellationToken);
            decision = decision.WithVerification(verdict);
        }

        // 1311.210(a)(2): the pharmacy signs on receipt. Every archived record carries this seal, so verification
        // can prove any row unaltered, including those that also carry a practitioner's signature.
        var signature = signingKey.Sign(ReceiptSeal.Content(receiptId, receivedAt, sha256, decision.Status.ToString(), decision.ReasonCode, canonical));

        var result = await writer.AppendAsync(new ArchiveEntry
        {
            ReceiptId = receiptId,
            ReceivedAt = receivedAt,
            Source = source.Name,
            Actor = source.Actor,
            // A readable message is the same message when its MessageID repeats; an unreadable one when its bytes do.
            DedupeKey = read.Message is { } readable ? $"msg:{readable.Header.MessageId}" : $"sha256:{sha256}",
            MessageId = read.PartialMessageId,
            Message = read.Message,
            Decision = decision,
            CancelsReceiptId = cancels,
            AsReceived = asReceived,
            AsReceivedSha256 = sha256,
            ReceiptSignature = signature,
            SignerThumbprint = signingKey.Thumbprint,
            SearchKeys = read.Message is { Kind: TransactionKind.NewRx, Elements: var elements } ? PrescriptionKeys.From(elements) : null,
        }, cancellationToken);

        // Ids, statuses and reason codes only: no patient, prescriber or drug details in logs.
        LogReceived(logger, result.ReceiptId, source.Name, result.Status, result.ReasonCode, result.IsDuplicate);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Received {ReceiptId} via {Source}: {Status} {ReasonCode} duplicate={Duplicate}")]
    private static partial void LogReceived(
        ILogger logger, Guid receiptId, string source, PrescriptionStatus status, string reasonCode, bool duplicate);
}
