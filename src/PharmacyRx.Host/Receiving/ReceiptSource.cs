namespace PharmacyRx.Host.Receiving;

/// <summary>
/// Who a message came from and the actor the audit trail records for its receipt. <see cref="Name"/> is stored as the
/// record's source and is the sender in the message's identity (DESIGN.md, "Trust boundaries": identity is (sender,
/// MessageID) plus its bytes; a CancelRx binds only to a NewRx from the same sender).
/// </summary>
public sealed record ReceiptSource(string Name, string Actor)
{
    /// <summary>The <c>Header/From</c> identifier this sender is bound to, if any; a message from another is reviewed.</summary>
    public string? BoundFrom { get; init; }

    /// <summary>
    /// The door it came in by, as the metrics label it: <c>http</c>, <c>queue</c> (the raw RabbitMQ queue), <c>bus</c> (the
    /// typed consumer), <c>inbox</c> or <c>cli</c>. Never a sender's name: the label's values stay few and name no one.
    /// </summary>
    public string Door { get; init; } = Name switch
    {
        "inbox" => "inbox",
        "cli" => "cli",
        _ when Name == "http" || Name.StartsWith("http:", StringComparison.Ordinal) => "http",
        _ => "bus",
    };

    /// <summary>In-process callers (tests, benchmarks) that stand for one anonymous HTTP sender.</summary>
    public static ReceiptSource Http { get; } = new("http", "system:http");
    public static ReceiptSource Inbox { get; } = new("inbox", "system:inbox");
    /// <summary>
    /// A bus door; the name a publisher gives is kept only if it cannot pass for another door's sender (an HTTP sender's
    /// <c>http:NAME</c>, the inbox, the command line): a publisher must not cancel or pre-empt another sender's messages.
    /// </summary>
    public static ReceiptSource Bus(string? name) =>
        // A bus message's JSON may carry "source": null; it is then the bus's, and archived like any other (nothing dropped).
        name is { Length: > 0 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_') && name is not ("inbox" or "cli" or "http")
            ? new(name, $"system:{name}")
            : new("bus", "system:bus");
    public static ReceiptSource CommandLine { get; } = new("cli", $"cli:{Environment.UserName}");

    /// <summary>An authenticated sender on <c>POST /api/inbound</c>: the record's source is <c>http:NAME</c>.</summary>
    public static ReceiptSource Sender(string name, string? boundFrom) => new($"http:{name}", $"sender:{name}") { BoundFrom = boundFrom };
}
