using System.Net;
using PharmacyRx.Core.Audit;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>Issue 11 finding 10 over real HTTP on loopback: the failure count and the lock are decided atomically.</summary>
public class LoginLockoutTests
{
    [Test]
    public async Task Thirty_concurrent_wrong_logins_check_at_most_five_passwords_and_lock_the_account()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var start = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 30).Select(i => Task.Run(async () =>
        {
            start.Wait();
            using var response = await pharmacy.LoginAsync("admin", $"wrong-password-{i:00}-abc");
            return response.StatusCode;
        })).ToArray();
        start.Set();
        var statuses = await Task.WhenAll(attempts);
        using var rightDuringLock = await pharmacy.LoginAsync("admin", pharmacy.Passwords["admin"]);

        var checkedPasswords = await pharmacy.AuditAsync(AuditEventTypes.LoginFailed);
        var throttled = await pharmacy.AuditAsync(AuditEventTypes.LoginThrottled);
        Assert.That(checkedPasswords, Has.Count.LessThanOrEqualTo(5), "at most five password checks per window");
        Assert.That(checkedPasswords.Count + throttled.Count, Is.EqualTo(31), "every attempt is audited once");
        Assert.That(statuses.Count(s => s == HttpStatusCode.TooManyRequests), Is.GreaterThanOrEqualTo(26));
        Assert.That(statuses, Is.All.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests));
        Assert.That(rightDuringLock.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the right password during the lock is refused");
    }
}
