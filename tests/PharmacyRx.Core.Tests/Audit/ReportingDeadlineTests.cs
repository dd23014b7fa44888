using PharmacyRx.Core.Audit;

namespace PharmacyRx.Core.Tests.Audit;

public class ReportingDeadlineTests
{
    [TestCase("2026-11-16", "2026-11-17", TestName = "Monday_is_due_Tuesday")]
    [TestCase("2026-11-19", "2026-11-20", TestName = "Thursday_is_due_Friday")]
    [TestCase("2026-11-20", "2026-11-23", TestName = "Friday_is_due_Monday")]
    [TestCase("2026-11-21", "2026-11-23", TestName = "Saturday_is_due_Monday")]
    [TestCase("2026-11-22", "2026-11-23", TestName = "Sunday_is_due_Monday")]
    [Property("Rule", "1311.215(c)")]
    public void An_incident_is_due_by_the_next_weekday(string decided, string due)
    {
        Assert.That(ReportingDeadline.DueDay(DateOnly.Parse(decided, System.Globalization.CultureInfo.InvariantCulture)),
            Is.EqualTo(DateOnly.Parse(due, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    [Property("Rule", "1311.215(c)")]
    public void An_incident_decided_on_Friday_evening_is_overdue_from_Tuesday_midnight_local_time()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("UTC-5", TimeSpan.FromHours(-5), "UTC-5", "UTC-5");
        var fridayEvening = new DateTimeOffset(2026, 11, 20, 22, 30, 0, TimeSpan.FromHours(-5));

        Assert.That(ReportingDeadline.DueBy(fridayEvening, zone), Is.EqualTo(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.FromHours(-5))));
    }
}
