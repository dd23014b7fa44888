using System.Security.Cryptography;
using System.Text;

namespace PharmacyRx.Testing;

/// <summary>
/// One set of messages to drive through every door (HTTP, raw queue, typed consumer, inbox, <c>ingest</c>): good,
/// oversized, hostile and failing, each with the archived status and reason code every door must give it.
/// Every door runs with the default accepted size (<c>Receiving:MaxAcceptedBytes</c>, 16 MiB); the failing message fails
/// because of the <see cref="FailingTrigger"/> a test puts in the database.
/// </summary>
public static class DoorCorpus
{
    /// <summary>The accepted size every door runs with: the default.</summary>
    public static int MaxAcceptedBytes { get; } = new PharmacyRx.Core.Receiving.ScriptReaderOptions().MaxAcceptedBytes;

    /// <summary>How much of an oversized body is kept (the pipeline's TooLargeKeptBytes).</summary>
    public const int KeptBytes = 64 * 1024;

    /// <summary>The MessageID of the message whose archiving the database refuses.</summary>
    public const string FailingMessageId = "DOOR-FAIL";

    /// <summary>SQL that makes the database refuse to archive the failing message: a fault past reading that is not transient.</summary>
    public const string FailingTrigger = $"""
        CREATE TRIGGER door_corpus_fault BEFORE INSERT ON prescription_archive
        WHEN NEW.message_id = '{FailingMessageId}' BEGIN SELECT RAISE(ABORT, 'synthetic fault'); END;
        """;

    /// <summary>One message, and what every door must archive it as.</summary>
    public sealed record Message(string Name, byte[] Bytes, string Status, string ReasonCode)
    {
        /// <summary>The SHA-256 of what is archived: the whole body, or for one over the cap its first bytes.</summary>
        public string ArchivedSha256 => Convert.ToHexStringLower(SHA256.HashData(Bytes.Length > MaxAcceptedBytes ? Bytes[..KeptBytes] : Bytes));

        public override string ToString() => Name;
    }

    public static IReadOnlyList<Message> Cases { get; } =
    [
        new("controlled", new SyntheticNewRx { MessageId = "DOOR-CII" }.ToBytes(), "ReceiptSigned", ""),
        new("not-controlled", (SyntheticNewRx.NotControlled with { MessageId = "DOOR-AMOX", Version = "2023011" }).ToBytes(), "ReceiptSigned", "NotControlled"),
        new("oversized", [.. new SyntheticNewRx { MessageId = "DOOR-BIG" }.ToBytes(), .. Enumerable.Repeat((byte)' ', MaxAcceptedBytes)], "Rejected", "TooLarge"),
        new("billion-laughs", """<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><m>&b;</m>"""u8.ToArray(), "Rejected", "ForbiddenXml"),
        new("xxe", """<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><Message xmlns="http://www.ncpdp.org/schema/SCRIPT">&x;</Message>"""u8.ToArray(), "Rejected", "ForbiddenXml"),
        new("not-xml", "MSH|^~\\&|not a SCRIPT message"u8.ToArray(), "Rejected", "MalformedXml"),
        new("duplicate-element", Encoding.UTF8.GetBytes(new SyntheticNewRx { MessageId = "DOOR-TWICE" }.ToXml()
            .Replace("<MessageID>DOOR-TWICE</MessageID>", "<MessageID>DOOR-TWICE</MessageID><MessageID>DOOR-OTHER</MessageID>", StringComparison.Ordinal)),
            "Rejected", "DuplicateElement"),
        new("wrong-encoding", [.. Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Message xmlns=\"http://www.ncpdp.org/schema/SCRIPT\"><Header>"), 0xC3, 0x28, 0xFF, .. "</Header></Message>"u8.ToArray()], "Rejected", "MalformedXml"),
        new("unsupported", new SyntheticTransaction(SyntheticTransaction.Unsupported) { MessageId = "DOOR-RXFILL" }.ToBytes(), "Rejected", "UnsupportedTransaction"),
        // The answers a pharmacy receives (docs/transactions.md): approved renewals and changes are prescriptions, on NewRx's rules.
        new("renewal-approved-CIV", new SyntheticNewRx { Transaction = "RxRenewalResponse", Response = "Approved", MessageId = "DOOR-RENEW-CIV",
            PrescriberOrderNumber = "ORD-DOOR-RENEW", ScheduleCode = "C48677", Refills = "2", DrugDescription = "Alprazolam 0.5 MG Oral Tablet" }.ToBytes(), "ReceiptSigned", ""),
        new("renewal-replace-2023011", (SyntheticNewRx.NotControlled with { Transaction = "RxRenewalResponse", Response = "Replace", Version = "2023011",
            MessageId = "DOOR-RENEW-REPLACE", PrescriberOrderNumber = "ORD-DOOR-REPLACE", LaterVersionShape = true }).ToBytes(), "ReceiptSigned", "NotControlled"),
        new("change-approved-CII-no-indicator", new SyntheticNewRx { Transaction = "RxChangeResponse", Response = "ApprovedWithChanges", MessageId = "DOOR-CHANGE-CII",
            PrescriberOrderNumber = "ORD-DOOR-CHANGE", SignatureIndicator = null }.ToBytes(), "NeedsPharmacistReview", "SignatureIndicatorAbsent"),
        new("change-validated", new SyntheticNewRx { Transaction = "RxChangeResponse", Response = "Validated", MessageId = "DOOR-CHANGE-VALID",
            PrescriberOrderNumber = "ORD-DOOR-VALID" }.ToBytes(), "ReceiptSigned", "NotAPrescription"),
        new("renewal-denied", new SyntheticNewRx { Transaction = "RxRenewalResponse", Response = "Denied", MessageId = "DOOR-RENEW-DENIED",
            PrescriberOrderNumber = "ORD-DOOR-DENIED" }.ToBytes(), "ReceiptSigned", "NotAPrescription"),
        new("status", new SyntheticTransaction("Status") { MessageId = "DOOR-STATUS" }.ToBytes(), "ReceiptSigned", "NotAPrescription"),
        new("error", new SyntheticTransaction("Error") { MessageId = "DOOR-ERROR", Version = "2023011" }.ToBytes(), "ReceiptSigned", "NotAPrescription"),
        new("verify", new SyntheticTransaction("Verify") { MessageId = "DOOR-VERIFY" }.ToBytes(), "ReceiptSigned", "NotAPrescription"),
        new("cancel-response", new SyntheticTransaction("CancelRxResponse") { MessageId = "DOOR-CANCEL-RESPONSE" }.ToBytes(), "ReceiptSigned", "NotAPrescription"),
        new("failing", new SyntheticNewRx { MessageId = FailingMessageId, PrescriberOrderNumber = "ORD-FAIL" }.ToBytes(), "Rejected", "ProcessingFailed"),
    ];
}
