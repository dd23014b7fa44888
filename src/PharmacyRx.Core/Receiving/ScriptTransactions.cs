namespace PharmacyRx.Core.Receiving;

/// <summary>
/// What each transaction is, in one place: which carry a prescription (treated as a NewRx, EPCS rules included), which
/// replace the prescription they answer, and how a pharmacist reads the transaction's name (docs/transactions.md).
/// </summary>
public static class ScriptTransactions
{
    /// <summary>The <c>Response</c> choices of RxRenewalResponse and RxChangeResponse (NCPDP SCRIPT 2017071).</summary>
    public const string Approved = "Approved";
    public const string ApprovedWithChanges = "ApprovedWithChanges";
    public const string Replace = "Replace";
    public const string Denied = "Denied";
    public const string Validated = "Validated";

    private static readonly Dictionary<string, TransactionKind> ByName =
        Enum.GetValues<TransactionKind>().ToDictionary(kind => kind.ToString(), StringComparer.Ordinal);

    /// <summary>The transaction of a <c>Body</c> child element named <paramref name="name"/>, or null for one this service does not read.</summary>
    public static TransactionKind? Find(string? name) => name is not null && ByName.TryGetValue(name, out var kind) ? kind : null;

    /// <summary>
    /// Whether the message carries a prescription a pharmacist may fill: a NewRx; under SCRIPT 2017071 an approved renewal
    /// (Approved, ApprovedWithChanges, Replace) or an approved change (Approved, ApprovedWithChanges) is a new prescription,
    /// held to the same 1306.05(a) and 1311 rules as a NewRx. False when the message was not read.
    /// </summary>
    public static bool IsPrescription(this ScriptMessage? message) => message switch
    {
        { Kind: TransactionKind.NewRx } => true,
        { Kind: TransactionKind.RxRenewalResponse, Response: Approved or ApprovedWithChanges or Replace } => true,
        { Kind: TransactionKind.RxChangeResponse, Response: Approved or ApprovedWithChanges } => true,
        _ => false,
    };

    /// <summary>
    /// Whether the message replaces the prescription it answers: an approved change does, so the original stops being
    /// dispensable in the transaction that archives the change (no double fill).
    /// </summary>
    public static bool ReplacesOriginal(this ScriptMessage? message) =>
        message is { Kind: TransactionKind.RxChangeResponse, Response: Approved or ApprovedWithChanges };

    /// <summary>Whether the message is a prescriber's answer whose Response this service does not recognise.</summary>
    public static bool HasUnrecognisedResponse(this ScriptMessage message) => message switch
    {
        { Kind: TransactionKind.RxRenewalResponse, Response: not (Approved or ApprovedWithChanges or Replace or Denied) } => true,
        { Kind: TransactionKind.RxChangeResponse, Response: not (Approved or ApprovedWithChanges or Denied or Validated) } => true,
        _ => false,
    };

    /// <summary>The transaction as a pharmacist reads it: "RxChangeResponse (Approved)", "Error 900", "NewRx".</summary>
    public static string Name(this ScriptMessage message) => message switch
    {
        { Kind: TransactionKind.RxRenewalResponse or TransactionKind.RxChangeResponse or TransactionKind.CancelRxResponse, Response.Length: > 0 } =>
            $"{message.Kind} ({message.Response})",
        { Kind: TransactionKind.Status or TransactionKind.Error or TransactionKind.Verify, Answer.Code.Length: > 0 } =>
            $"{message.Kind} {message.Answer.Code}" + (message.Answer.DescriptionCode.Length > 0 ? $"/{message.Answer.DescriptionCode}" : ""),
        _ => message.Kind.ToString(),
    };
}
