using System.Text.Json;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Archive;

namespace PharmacyRx.Host.Messaging;

/// <summary>
/// What the sender learns about one inbound message, published as JSON to the outcomes exchange and correlated by
/// MessageID: an NCPDP-style Status (code 010, accepted for processing) or Error (code 900, rejected, with the
/// reason as the description).
/// </summary>
public sealed record ReceiptOutcome(string MessageId, Guid ReceiptId, string Status, string Code, string Description)
{
    public const string AcceptedCode = "010";
    public const string RejectedCode = "900";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public bool IsError => Code == RejectedCode;

    public static ReceiptOutcome From(ArchiveResult result)
    {
        var rejected = result.Status.IsFailure();
        var description = rejected
            ? result.Reason
            : result.Status.VerificationIndication(controlled: result.ReasonCode != ReceiptDecision.NotControlled) + (result.Reason.Length > 0 ? $" ({result.Reason})" : "");
        return new ReceiptOutcome(result.MessageId, result.ReceiptId, result.Status.ToString(), rejected ? RejectedCode : AcceptedCode, description);
    }

    public byte[] ToJsonUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static ReceiptOutcome? FromJson(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<ReceiptOutcome>(json, Json);
}
