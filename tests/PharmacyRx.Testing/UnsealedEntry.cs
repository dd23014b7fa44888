using System.Security.Cryptography;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Archive;

namespace PharmacyRx.Testing;

/// <summary>
/// An archive entry made from message bytes the way the pipeline makes one, but with a placeholder signature:
/// for exercising storage alone, where nothing checks the seal.
/// </summary>
public static class UnsealedEntry
{
    public static ArchiveEntry From(byte[] bytes)
    {
        var read = new ScriptMessageReader().Read(bytes);
        var message = read.Message ?? throw new ArgumentException($"not a readable message: {read.Reason}", nameof(bytes));
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        // The keys the pipeline gives a readable message from one sender (ReceiptPipeline).
        var scope = $"msg:test\n{message.Header.MessageId}\n";
        return new ArchiveEntry
        {
            ReceiptId = Guid.CreateVersion7(),
            ReceivedAt = DateTimeOffset.UtcNow,
            Source = "test",
            Actor = "system:test",
            DedupeKey = scope + sha256,
            ReuseScope = scope,
            CancelBinding = ReceiptDecision.CancelBindingKey("test", message),
            MessageId = message.Header.MessageId,
            Message = message,
            Decision = ReceiptDecision.Decide(read),
            AsReceived = bytes,
            AsReceivedSha256 = sha256,
            ReceiptSignature = new byte[72],
            SignerThumbprint = "UNSEALED",
        };
    }
}
