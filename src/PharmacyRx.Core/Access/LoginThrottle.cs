namespace PharmacyRx.Core.Access;

/// <summary>
/// Failed sign-ins, after OWASP's authentication guidance: throttled first per (account, address), the delay doubling
/// from 1 second to a 15-minute cap, so guessing from one place never keeps the account's owner out from another. The
/// account itself is locked (15 minutes) only when its failures within an hour come from <see cref="SpreadGroups"/> or
/// more address groups (IPv4 /24, IPv6 /64): a guessing attack spread over many places. A successful sign-in from an
/// address clears that address's count.
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
