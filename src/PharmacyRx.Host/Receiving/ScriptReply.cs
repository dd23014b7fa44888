using System.Text;
using System.Xml;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Archive;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// The SCRIPT answer a SCRIPT-speaking sender gets for one message (schemas/script-replies.md): <c>Status</c> 010 when
/// archived; <c>Error</c> 900 with a <c>DescriptionCode</c> when Rejected or Invalid, 601 when it could not be
/// processed, 602 when a storage fault kept it out (send again). <c>RelatesToMessageID</c> is the sender's MessageID.
/// </summary>
public static class ScriptReply
{
    /// <summary>NCPDP SCRIPT Status: accepted by the ultimate receiver.</summary>
    public const string Accepted = "010";

    /// <summary>NCPDP SCRIPT Error codes: transaction rejected; receiver unable to process; receiver system error.</summary>
    public const string Rejected = "900";
    public const string ReceiverUnableToProcess = "601";
    public const string ReceiverSystemError = "602";

    /// <summary>The SCRIPT version the replies are written in.</summary>
    public const string Version = "2017071";

    /// <summary>SCRIPT's Description is at most 70 characters (an..70).</summary>
    public const int MaxDescription = 70;

    /// <summary>The Status or Error code and DescriptionCode ("" for a Status) for an archived outcome.</summary>
    public static (string Code, string DescriptionCode) Codes(PrescriptionStatus status, string reasonCode) =>
        !status.IsFailure() ? (Accepted, "")
        : reasonCode == nameof(RejectionCode.ProcessingFailed) ? (ReceiverUnableToProcess, "007")
        : (Rejected, DescriptionCode(reasonCode));

    /// <summary>
    /// The DescriptionCode naming why a message was rejected (schemas/script-replies.md gives the table and its sources);
    /// the Description then starts with this service's reason code, so the exact reason is named too.
    /// </summary>
    public static string DescriptionCode(string reasonCode) => reasonCode switch
    {
        nameof(RejectionCode.MalformedXml) or nameof(RejectionCode.ForbiddenXml) or nameof(RejectionCode.TooDeep)
            or nameof(RejectionCode.WrongNamespace) or nameof(RejectionCode.FieldTooLong) or nameof(RejectionCode.UnreadableEnvelope) => "3000",
        nameof(RejectionCode.MissingMessageId) => "1000",
        // Too large, an unsupported transaction, a failed signature check: well formed, but not acceptable here.
        _ => "2000",
    };

    /// <summary>The reply to an archived outcome (a duplicate gets its first outcome's reply again).</summary>
    public static byte[] For(ArchiveResult result, DateTimeOffset sentAt)
    {
        var (code, descriptionCode) = Codes(result.Status, result.ReasonCode);
        var description = code == Accepted
            ? result.ReasonCode.Length > 0 ? $"{result.Status}: {result.ReasonCode}" : result.Status.ToString()
            : $"{result.ReasonCode}: {result.Reason}";
        return Write(code, descriptionCode, description, result.MessageId, result.ReceiverId, result.SenderId, $"{result.ReceiptId:N}", sentAt);
    }

    /// <summary>The reply when nothing was archived because of the receiver's storage (disk full, a lock): 602, send again.</summary>
    public static byte[] ForStorageFault(string fault, DateTimeOffset sentAt) =>
        Write(ReceiverSystemError, "007", $"not archived ({fault}); send it again", "", "", "", $"{Guid.CreateVersion7(sentAt):N}", sentAt);

    private static byte[] Write(
        string code, string descriptionCode, string description, string relatesTo, string from, string to, string messageId, DateTimeOffset sentAt)
    {
        var output = new MemoryStream();
        using (var xml = XmlWriter.Create(output, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            const string ns = ScriptMessageReader.Namespace;
            xml.WriteStartDocument();
            xml.WriteStartElement("Message", ns);
            foreach (var attribute in new[] { "DatatypesVersion", "TransportVersion", "TransactionVersion", "StructuresVersion", "ECLVersion" })
            {
                xml.WriteAttributeString(attribute, Version);
            }
            xml.WriteAttributeString("TransactionDomain", "SCRIPT");
            xml.WriteStartElement("Header", ns);
            // The answer goes back to whoever sent the message, from whom it was sent to.
            Optional(xml, "To", to);
            Optional(xml, "From", from);
            xml.WriteElementString("MessageID", ns, messageId);
            Optional(xml, "RelatesToMessageID", relatesTo);
            xml.WriteElementString("SentTime", ns, sentAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.f'Z'", System.Globalization.CultureInfo.InvariantCulture));
            xml.WriteEndElement();
            xml.WriteStartElement("Body", ns);
            xml.WriteStartElement(code == Accepted ? "Status" : "Error", ns);
            xml.WriteElementString("Code", ns, code);
            Optional(xml, "DescriptionCode", descriptionCode);
            Optional(xml, "Description", Shorten(description));
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
        }
        return output.ToArray();
    }

    private static void Optional(XmlWriter xml, string name, string value)
    {
        if (value.Length > 0)
        {
            xml.WriteElementString(name, ScriptMessageReader.Namespace, value);
        }
    }

    private static string Shorten(string text) => text.Length <= MaxDescription ? text : text[..(MaxDescription - 1)] + "…";
}
