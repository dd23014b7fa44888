namespace PharmacyRx.Core.Receiving;

/// <summary>A SCRIPT message read from its as-received bytes: the parts this service acts on.</summary>
public sealed record ScriptMessage(TransactionKind Kind, MessageHeader Header, DeaElements Elements)
{
    /// <summary>
    /// The choice under an answer's <c>Response</c> (Approved, ApprovedWithChanges, Replace, Denied, Validated), the first
    /// sent; "" for a transaction without one (<see cref="ScriptTransactions"/>).
    /// </summary>
    public string Response { get; init; } = "";

    /// <summary>The code and description of a Status, Error or Verify; empty for other transactions.</summary>
    public ScriptAnswer Answer { get; init; } = ScriptAnswer.None;
}

/// <summary>
/// What a Status, Error or Verify says: <c>Code</c> (010, 600, 601, 602, 900), <c>DescriptionCode</c> and
/// <c>Description</c>; a Verify's are under <c>VerifyStatus</c>.
/// </summary>
public sealed record ScriptAnswer(string Code, string DescriptionCode, string Description)
{
    public static ScriptAnswer None { get; } = new("", "", "");
}

/// <summary>The <c>Message/Header</c> fields this service reads.</summary>
public sealed record MessageHeader
{
    public string To { get; init; } = "";
    public string From { get; init; } = "";
    public string MessageId { get; init; } = "";
    public string RelatesToMessageId { get; init; } = "";
    public string SentTime { get; init; } = "";
    public string PrescriberOrderNumber { get; init; } = "";
    public SignatureBlock Signature { get; init; } = SignatureBlock.None;
}

/// <summary>
/// <c>Header/DigitalSignature</c>: either a practitioner's (or intermediary's) signature over the canonical signed
/// elements, or only the indicator that the practitioner signed (1311.205(b)(6)).
/// </summary>
public sealed record SignatureBlock
{
    public static SignatureBlock None { get; } = new();

    /// <summary>The <c>DigitalSignatureIndicator</c>: true, false, or null when absent.</summary>
    public bool? Indicator { get; init; }

    public string DigestMethod { get; init; } = "";
    public string DigestValue { get; init; } = "";
    public string SignatureValue { get; init; } = "";

    /// <summary>Base64 DER certificates from <c>X509Data/X509Certificate</c>, signer first as sent.</summary>
    public IReadOnlyList<string> Certificates { get; init; } = [];

    /// <summary>True when the block carries a signature to verify rather than only the indicator.</summary>
    public bool HasSignature => SignatureValue.Length > 0;
}
