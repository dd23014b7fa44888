namespace PharmacyRx.Core.Access;

/// <summary>
/// Back-off after repeated failed logins: from the fifth consecutive failure the account waits 1 minute, doubling
/// with each further failure up to 1 hour. Never a permanent lock, so an attacker cannot lock a pharmacist out for
/// good; a successful login clears the count.
/// </summary>
public static class LoginThrottle
{
    public const int FreeAttempts = 4;
    public static readonly TimeSpan FirstWait = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    /// <summary>How long to wait after this many consecutive failures (zero while under the free attempts).</summary>
    public static TimeSpan WaitAfter(int consecutiveFailures)
    {
        if (consecutiveFailures <= FreeAttempts)
        {
            return TimeSpan.Zero;
        }
        var doublings = Math.Min(consecutiveFailures - FreeAttempts - 1, 10);
        var wait = FirstWait * (1 << doublings);
        return wait < LongestWait ? wait : LongestWait;
    }
}
