namespace PharmacyRx.Host.Receiving;

/// <summary>The entry point a message came through and the actor the audit trail records for its receipt.</summary>
public sealed record ReceiptSource(string Name, string Actor)
{
    public static ReceiptSource Http { get; } = new("http", "system:http");
    public static ReceiptSource Inbox { get; } = new("inbox", "system:inbox");
    public static ReceiptSource Bus(string name) => new(name, $"system:{name}");
    public static ReceiptSource CommandLine { get; } = new("cli", $"cli:{Environment.UserName}");
}
