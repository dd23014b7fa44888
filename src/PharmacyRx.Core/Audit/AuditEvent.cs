namespace PharmacyRx.Core.Audit;

/// <summary>Success or failure of an audited event (1311.205(b)(14)(iv)).</summary>
public enum AuditOutcome
{
    Success,
    Failure,
}

/// <summary>
/// One audit record: date and time, type, actor and outcome (1311.205(b)(14)), plus the target it concerns and
/// details. <see cref="Details"/> holds ids, statuses and reasons; never patient or drug details.
/// </summary>
public sealed record AuditEvent(DateTimeOffset OccurredAt, string Type, string Actor, AuditOutcome Outcome, string Target, string Details);

/// <summary>An audit event as stored: its place in the chain and its hashes.</summary>
public sealed record ChainedAuditEvent(long Sequence, AuditEvent Event, string PreviousHash, string Hash);
