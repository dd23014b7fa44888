namespace PharmacyRx.Storage.Access;

/// <summary>What an access-control change did: a value the CLI and API turn into an exit code or a status.</summary>
public sealed record AccessResult(AccessOutcome Outcome, string Message)
{
    public static AccessResult Changed { get; } = new(AccessOutcome.Changed, "");
    public static AccessResult Unchanged { get; } = new(AccessOutcome.Unchanged, "");

    public static AccessResult NotFound(string message) => new(AccessOutcome.NotFound, message);

    public static AccessResult Refused(string message) => new(AccessOutcome.Refused, message);

    public static AccessResult Invalid(string message) => new(AccessOutcome.Invalid, message);
}

/// <summary>The kinds of <see cref="AccessResult"/>.</summary>
public enum AccessOutcome
{
    Changed,
    Unchanged,
    NotFound,
    Refused,

    /// <summary>The request itself is malformed (a value over its length limit, say).</summary>
    Invalid,

    /// <summary>Held for a second administrator's approval (the two-person rule); the message names the request.</summary>
    Pending,
}
