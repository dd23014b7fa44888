namespace PharmacyRx.Host.Clock;

/// <summary>One clock check: when, against which server, the skew (null when the check failed) and whether it is within bounds.</summary>
public sealed record ClockStatus(DateTimeOffset CheckedAt, string Server, TimeSpan? Skew, string Problem, bool WithinBounds);
