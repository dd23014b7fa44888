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
    public void One_address_waits_after_a_second_failure_from_one_second_doubling_to_fifteen_minutes_and_never_for_good()
    {
        var waits = Enumerable.Range(0, 15).Select(LoginThrottle.WaitAfter).ToArray();

        Assert.That(waits[..6], Is.EqualTo(new[] { TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8) }));
        Assert.That(waits[11], Is.EqualTo(TimeSpan.FromSeconds(512)));
        Assert.That(waits[12..], Is.All.EqualTo(TimeSpan.FromMinutes(15)), "1,024 s is past the cap");
        Assert.That(LoginThrottle.WaitAfter(int.MaxValue), Is.EqualTo(TimeSpan.FromMinutes(15)));
    }
}
