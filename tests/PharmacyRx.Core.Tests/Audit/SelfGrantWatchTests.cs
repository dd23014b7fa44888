using PharmacyRx.Core.Audit;

namespace PharmacyRx.Core.Tests.Audit;

public class SelfGrantWatchTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private static AuditEvent Event(string type, string actor, string target, AuditOutcome outcome = AuditOutcome.Success) =>
        new(At, type, actor, outcome, target, "details");

    [TestCase(AuditEventTypes.UserCreated, "created")]
    [TestCase(AuditEventTypes.UserEnabled, "re-enabled")]
    [TestCase(AuditEventTypes.PasswordReset, "reset")]
    [Property("Rule", "1311.215(a)")]
    public void Flags_a_grant_to_the_administrator_by_an_account_the_administrator_controls(string control, string how)
    {
        var watch = new SelfGrantWatch();
        watch.Next(Event(control, "admin", "admin2"));

        Assert.That(watch.Next(Event(AuditEventTypes.PermissionGranted, "admin2", "admin")), Is.EqualTo(
            $"admin2 was {how} by admin, who receives this grant: rights given to oneself through an account one controls"));
        Assert.That(watch.Next(Event(AuditEventTypes.RoleAssigned, "ADMIN2", "Admin")), Does.StartWith($"ADMIN2 was {how} by Admin"));
    }

    [Test]
    public void Leaves_ordinary_grants_refusals_and_grants_by_strangers_alone()
    {
        var watch = new SelfGrantWatch();
        watch.Next(Event(AuditEventTypes.UserCreated, "admin", "admin2"));
        watch.Next(Event(AuditEventTypes.UserCreated, "system:cli", "admin3"));

        Assert.That(watch.Next(Event(AuditEventTypes.PermissionGranted, "admin2", "tech1")), Is.Null);
        Assert.That(watch.Next(Event(AuditEventTypes.PermissionGranted, "admin3", "admin")), Is.Null);
        Assert.That(watch.Next(Event(AuditEventTypes.PermissionGranted, "admin2", "admin", AuditOutcome.Failure)), Is.Null);
        Assert.That(watch.Next(Event(AuditEventTypes.PermissionRevoked, "admin2", "admin")), Is.Null);
        Assert.That(watch.Next(Event(AuditEventTypes.PermissionGranted, "admin", "admin2")), Is.Null);
    }
}
