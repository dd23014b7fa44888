namespace PharmacyRx.Core.Receiving;

/// <summary>Why a message could not be read; stored with the rejected record and sent back as the Error code.</summary>
public enum RejectionCode
{
    TooLarge,
    MalformedXml,
    ForbiddenXml,
    TooDeep,
    WrongNamespace,
    UnsupportedTransaction,
    MissingMessageId,

    /// <summary>Processing failed for a reason that is not the message's; set by the service, never by the reader.</summary>
    ProcessingFailed,

    /// <summary>An identifier or name longer than <see cref="BoundedFields.MaxLength"/>.</summary>
    FieldTooLong,

    /// <summary>A second occurrence of an element the SCRIPT subset allows once (<c>schemas/script-subset.xsd</c>).</summary>
    DuplicateElement,

    /// <summary>A bus message whose envelope or JSON could not be read, archived as its transport body; set by the service, never by the reader.</summary>
    UnreadableEnvelope,
}

/// <summary>The result of reading a message: a message, or a rejection with its reason. Never an exception.</summary>
public sealed record ReadResult
{
    private ReadResult(ScriptMessage? message, RejectionCode? code, string reason, string partialMessageId)
    {
        Message = message;
        Code = code;
        Reason = reason;
        PartialMessageId = BoundedFields.Fitting(partialMessageId);
    }

    public ScriptMessage? Message { get; }
    public RejectionCode? Code { get; }
    public string Reason { get; }

    /// <summary>The MessageID when it could be read before the message was rejected and fits <see cref="BoundedFields"/>; "" otherwise.</summary>
    public string PartialMessageId { get; }

    public static ReadResult Read(ScriptMessage message) => new(message, null, "", message.Header.MessageId);

    public static ReadResult Rejected(RejectionCode code, string reason, string partialMessageId = "") =>
        new(null, code, reason, partialMessageId);
}
