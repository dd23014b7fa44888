using System.Globalization;
using System.Text;

namespace PharmacyRx.Core.Receiving;

/// <summary>
/// The content the pharmacy signs on receipt (1311.210(a)(2)): the SHA-256 of the as-received bytes, the canonical
/// signed elements, the receipt id and the receipt time. Documented in <c>schemas/receipt-signature.md</c>; anyone
/// can rebuild it and check the signature with <c>openssl dgst -sha256 -verify</c>.
/// </summary>
public static class ReceiptSeal
{
    public const string Version = "1";

    /// <summary>Builds the exact bytes that are signed.</summary>
    public static byte[] Content(Guid receiptId, DateTimeOffset receivedAt, string asReceivedSha256Hex, string canonicalElements)
    {
        var text = new StringBuilder(128 + canonicalElements.Length)
            .Append("PharmacyRxReceipt:" + Version + "\n")
            .Append("ReceiptId:").Append(receiptId.ToString("D")).Append('\n')
            .Append("ReceivedAt:").Append(FormatTimestamp(receivedAt)).Append('\n')
            .Append("AsReceivedSHA256:").Append(asReceivedSha256Hex).Append('\n')
            .Append(canonicalElements);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

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
