using System.Globalization;
using System.Text;

namespace PharmacyRx.Core.Receiving;

/// <summary>
/// What the pharmacy signs on receipt (1311.210(a)(2)): SHA-256 of the as-received bytes, canonical signed elements,
/// receipt id, receipt time and status decided on receipt (so the verified indication, 1311.210(c)(3), cannot change
/// unnoticed). Specified in <c>schemas/receipt-signature.md</c>; checkable with <c>openssl dgst -sha256 -verify</c>.
/// </summary>
public static class ReceiptSeal
{
    public const string Version = "2";

    /// <summary>Builds the exact bytes that are signed.</summary>
    public static byte[] Content(
        Guid receiptId, DateTimeOffset receivedAt, string asReceivedSha256Hex, string status, string reasonCode, string canonicalElements)
    {
        var text = new StringBuilder(192 + canonicalElements.Length)
            .Append("PharmacyRxReceipt:" + Version + "\n")
            .Append("ReceiptId:").Append(receiptId.ToString("D")).Append('\n')
            .Append("ReceivedAt:").Append(FormatTimestamp(receivedAt)).Append('\n')
            .Append("AsReceivedSHA256:").Append(asReceivedSha256Hex).Append('\n')
            .Append("Status:").Append(status).Append('\n')
            .Append("ReasonCode:").Append(reasonCode).Append('\n')
            .Append(canonicalElements);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>
    /// The content the pharmacy signs when a record's status changes after receipt (a pending revocation check
    /// resolved): documented in <c>schemas/receipt-signature.md</c>.
    /// </summary>
    public static byte[] StatusChangeContent(Guid receiptId, DateTimeOffset occurredAt, string status, string reasonCode, string reason) =>
        Encoding.UTF8.GetBytes(new StringBuilder(256)
            .Append("PharmacyRxStatusChange:1\n")
            .Append("ReceiptId:").Append(receiptId.ToString("D")).Append('\n')
            .Append("OccurredAt:").Append(FormatTimestamp(occurredAt)).Append('\n')
            .Append("Status:").Append(status).Append('\n')
            .Append("ReasonCode:").Append(reasonCode).Append('\n')
            .Append("Reason:").Append(reason).Append('\n')
            .ToString());

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>UTC with seven fractional digits, e.g. 2026-11-22T07:10:00.1234567Z; the stored and signed form.</summary>
    public static string FormatTimestamp(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>Parses <see cref="FormatTimestamp"/> output.</summary>
    public static DateTimeOffset ParseTimestamp(string text) =>
        DateTimeOffset.ParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>Parses <see cref="FormatTimestamp"/> output; false for any other text (a stored value tampered with, say).</summary>
    public static bool TryParseTimestamp(string text, out DateTimeOffset instant) =>
        DateTimeOffset.TryParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant);
}
