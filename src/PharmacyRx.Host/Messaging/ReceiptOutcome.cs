using System.Text.Json;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Archive;

namespace PharmacyRx.Host.Messaging;

/// <summary>
/// What the sender learns about one inbound message, published as JSON to the outcomes exchange, correlated by
/// MessageID: an NCPDP-style Status 010 (accepted) or Error 900 (rejected, reason as description; 601 when it could not
/// be processed). Same codes as the SCRIPT reply (<see cref="ScriptReply"/>) published beside it.
/// </summary>
public sealed record ReceiptOutcome(string MessageId, Guid ReceiptId, string Status, string Code, string Description)
{
    public const string AcceptedCode = ScriptReply.Accepted;
    public const string RejectedCode = ScriptReply.Rejected;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>This service's reason code ("" for none): what the SCRIPT reply's DescriptionCode is derived from.</summary>
    public string ReasonCode { get; init; } = "";

    public bool IsError => Code != AcceptedCode;

    public static ReceiptOutcome From(ArchiveResult result)
    {
        var rejected = result.Status.IsFailure();
        var description = rejected || result.ReasonCode == ReceiptDecision.NotAPrescription
            ? result.Reason
            : result.Status.VerificationIndication(controlled: result.ReasonCode != ReceiptDecision.NotControlled) + (result.Reason.Length > 0 ? $" ({result.Reason})" : "");
        return new ReceiptOutcome(result.MessageId, result.ReceiptId, result.Status.ToString(), ScriptReply.Codes(result.Status, result.ReasonCode).Code, description)
        {
            ReasonCode = result.ReasonCode,
        };
    }

    public byte[] ToJsonUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static ReceiptOutcome? FromJson(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<ReceiptOutcome>(json, Json);
}
