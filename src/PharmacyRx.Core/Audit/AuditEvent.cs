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
public sealed record AuditEvent(DateTimeOffset OccurredAt, string Type, string Actor, AuditOutcome Outcome, string Target, string Details)
{
    /// <summary>
    /// The longest target kept as it is, on both engines: SQL Server indexes the column, and an index key holds 850
    /// characters. A target can come from outside (a CRL address in a certificate, a folder's path).
    /// </summary>
    public const int MaxTargetLength = 850;

    /// <summary>
    /// This event with a target longer than <see cref="MaxTargetLength"/> cut to its beginning and the SHA-256 of the whole,
    /// so it is still told apart and can be matched; the chain links the event as stored.
    /// </summary>
    public AuditEvent Bounded()
    {
        if (Target.Length <= MaxTargetLength)
        {
            return this;
        }
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Target)));
        const string marker = "…sha256:";
        return this with { Target = string.Concat(Target.AsSpan(0, MaxTargetLength - marker.Length - hash.Length), marker, hash) };
    }
}

/// <summary>An audit event as stored: its place in the chain, its hashes and its MAC under the chain key (null before the chain was keyed).</summary>
public sealed record ChainedAuditEvent(long Sequence, AuditEvent Event, string PreviousHash, string Hash, string? Mac = null);
