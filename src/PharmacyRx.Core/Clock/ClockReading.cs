namespace PharmacyRx.Core.Clock;

/// <summary>How far the local clock is from the server's (positive: the local clock is behind), or why it is unknown.</summary>
public sealed record ClockReading(TimeSpan? Offset, string Problem)
{
    public static ClockReading Failed(string problem) => new(null, problem);
}
