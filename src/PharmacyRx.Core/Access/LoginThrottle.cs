namespace PharmacyRx.Core.Access;

/// <summary>
/// Failed sign-ins (OWASP guidance): throttled per (account, address), 1 s doubling to 15 minutes, so guessing from one
/// place never keeps the owner out from another; the account is locked (15 minutes) only when an hour's failures span
/// <see cref="SpreadGroups"/> or more address groups (IPv4 /24, IPv6 /64). A success clears its address's count.
/// </summary>
public static class LoginThrottle
{
    public static readonly TimeSpan FirstWait = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(15);

    /// <summary>Address groups whose failures within <see cref="SpreadWindow"/> lock the account.</summary>
    public const int SpreadGroups = 10;

    public static readonly TimeSpan SpreadWindow = TimeSpan.FromHours(1);

    /// <summary>How long a spread guessing attack locks the account.</summary>
    public static readonly TimeSpan AccountLock = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long one address waits after this many consecutive failures for one account: none after a first slip, then 1 s,
    /// doubling with each further failure to 15 minutes.
    /// </summary>
    public static TimeSpan WaitAfter(int consecutiveFailures)
    {
        if (consecutiveFailures <= 1)
        {
            return TimeSpan.Zero;
        }
        var doublings = Math.Min(consecutiveFailures - 2, 20);
        var wait = FirstWait * (1L << doublings);
        return wait < LongestWait ? wait : LongestWait;
    }
}
