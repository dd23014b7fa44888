using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Storage.Verification;

namespace PharmacyRx.Host.Verification;

/// <summary>
/// Re-checks records left <see cref="PrescriptionStatus.PendingRevocationCheck"/> because no current CRL could be had
/// (1311.210(c)(2)), and moves each to its verdict as soon as one can be given: a new sealed status change, audited.
/// A record that is still pending stays as it is.
/// </summary>
public sealed partial class PendingRecheck(
    VerificationEventStore statusChanges,
    SignatureVerification verification,
    ScriptMessageReader reader,
    PharmacySigningKey signingKey,
    TimeProvider time,
    ILogger<PendingRecheck> logger)
{
    public const string Actor = "system:revocation-recheck";
    private const int PageSize = 500;

    /// <summary>How many pending records were looked at and how many moved.</summary>
    public sealed record Summary(int Checked, int Moved);

    public async Task<Summary> RunAsync(CancellationToken cancellationToken)
    {
        int looked = 0, moved = 0;
        Storage.Archive.ArchivedRecord? last = null;
        while (true)
        {
            var page = await statusChanges.PendingAsync(last, PageSize, cancellationToken);
            foreach (var record in page)
            {
                looked++;
                var read = reader.Reread(record);
                if (read.Message is not { } message)
                {
                    continue;
                }
                var canonical = SignedElements.Format(message.Elements);
                var receivedAt = ReceiptSeal.ParseTimestamp(record.ReceivedAt);
                var verdict = await verification.VerifyAsync(message, canonical, receivedAt, recheck: true, cancellationToken);
                var decision = ReceiptDecision.Decide(read).WithVerification(verdict);
                if (decision.Status == PrescriptionStatus.PendingRevocationCheck)
                {
                    continue;
                }
                var now = time.GetUtcNow();
                var receiptId = Guid.Parse(record.ReceiptId);
                var outcome = new Core.Verification.VerificationVerdict(decision.Status, decision.ReasonCode, decision.Reason);
                var seal = signingKey.Sign(ReceiptSeal.StatusChangeContent(receiptId, now, outcome.Status.ToString(), outcome.ReasonCode, outcome.Reason));
                await statusChanges.RecordAsync(
                    receiptId, PrescriptionStatus.PendingRevocationCheck, outcome, now, seal, signingKey.Thumbprint, Actor, cancellationToken);
                LogMoved(logger, receiptId, outcome.Status, outcome.ReasonCode);
                moved++;
            }
            if (page.Count < PageSize)
            {
                return new Summary(looked, moved);
            }
            last = page[^1];
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pending revocation check of {ReceiptId} resolved: {Status} {ReasonCode}")]
    private static partial void LogMoved(ILogger logger, Guid receiptId, PrescriptionStatus status, string reasonCode);
}
