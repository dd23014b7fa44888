using PharmacyRx.Core.Access;

namespace PharmacyRx.Core.Tests.Access;

public class PasswordPolicyTests
{
    [TestCase("short-pass1", "a password needs at least 12 characters")]
    [TestCase("Password1234", "this password is on the list of commonly used passwords")]
    [TestCase("qwertyuiop123", "this password is on the list of commonly used passwords")]
    [TestCase("violet-harbor-73-lantern", null)]
    public void Refuses_short_and_common_passwords(string password, string? refusal)
    {
        Assert.That(PasswordPolicy.Refusal(password), Is.EqualTo(refusal));
    }

    [Test]
    public void Backs_off_from_the_fifth_failure_doubling_to_an_hour_and_never_locks_for_good()
    {
        var waits = Enumerable.Range(1, 14).Select(LoginThrottle.WaitAfter).ToArray();

        Assert.That(waits[..4], Is.All.EqualTo(TimeSpan.Zero));
        Assert.That(waits[4..8], Is.EqualTo(new[] { TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(8) }));
        Assert.That(waits[^1], Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(LoginThrottle.WaitAfter(int.MaxValue), Is.EqualTo(TimeSpan.FromHours(1)));
    }
}
