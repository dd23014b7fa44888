using PharmacyRx.Core.Clock;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Clock;

/// <summary>The pharmacy's day of an instant, and the first instant of its day, west and east of UTC and on the days clocks change.</summary>
public class PharmacyClockTests
{
    private static PharmacyClock At(string zone, DateTimeOffset now) => new(new ManualTimeProvider(now), TimeZoneInfo.FindSystemTimeZoneById(zone));

    private static DateTimeOffset Utc(int month, int day, int hour, int minute) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [TestCase("America/Chicago", 12, 7, 1, 8, "2026-12-06", TestName = "Chicago_at_19_08_is_still_the_6th_when_UTC_is_the_7th")]
    [TestCase("America/Chicago", 12, 7, 5, 30, "2026-12-06", TestName = "Chicago_at_23_30_is_the_6th")]
    [TestCase("America/Chicago", 12, 7, 6, 30, "2026-12-07", TestName = "Chicago_at_00_30_is_the_7th")]
    [TestCase("Asia/Tokyo", 12, 6, 15, 30, "2026-12-07", TestName = "Tokyo_at_00_30_is_the_7th_when_UTC_is_the_6th")]
    [TestCase("Asia/Tokyo", 12, 7, 14, 30, "2026-12-07", TestName = "Tokyo_at_23_30_is_the_7th")]
    [TestCase("America/Chicago", 3, 9, 4, 30, "2026-03-08", TestName = "Chicago_at_23_30_CDT_on_the_23_hour_day_is_that_day")]
    [TestCase("America/Chicago", 11, 2, 5, 30, "2026-11-01", TestName = "Chicago_at_23_30_CST_on_the_25_hour_day_is_that_day")]
    public void Today_is_the_pharmacys_day(string zone, int month, int day, int hour, int minute, string expected)
    {
        Assert.That(At(zone, Utc(month, day, hour, minute)).Today, Is.EqualTo(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void A_day_begins_at_the_pharmacys_midnight_and_lasts_23_or_25_hours_when_clocks_change()
    {
        var chicago = At("America/Chicago", Utc(12, 7, 0, 0));

        Assert.That(chicago.StartOfDay(new DateOnly(2026, 12, 6)), Is.EqualTo(Utc(12, 6, 6, 0)));
        Assert.That(At("Asia/Tokyo", Utc(12, 7, 0, 0)).StartOfDay(new DateOnly(2026, 12, 7)), Is.EqualTo(Utc(12, 6, 15, 0)));
        Assert.That(chicago.StartOfDay(new DateOnly(2026, 3, 9)) - chicago.StartOfDay(new DateOnly(2026, 3, 8)), Is.EqualTo(TimeSpan.FromHours(23)));
        Assert.That(chicago.StartOfDay(new DateOnly(2026, 11, 2)) - chicago.StartOfDay(new DateOnly(2026, 11, 1)), Is.EqualTo(TimeSpan.FromHours(25)));
    }

    [Test]
    public void A_time_skipped_by_the_clocks_going_forward_is_the_end_of_the_gap_and_one_shown_twice_is_its_first_showing()
    {
        var chicago = At("America/Chicago", Utc(12, 7, 0, 0));

        Assert.That(chicago.At(new DateOnly(2026, 3, 8), TimeSpan.FromHours(2.5)), Is.EqualTo(Utc(3, 8, 8, 0)), "02:30 does not exist: 03:00 CDT");
        Assert.That(chicago.At(new DateOnly(2026, 11, 1), TimeSpan.FromHours(1.5)), Is.EqualTo(Utc(11, 1, 6, 30)), "01:30 CDT, not 01:30 CST");
    }

    [Test]
    public void A_timestamp_is_shown_on_the_pharmacys_clock_with_its_offset_and_zone()
    {
        Assert.That(At("America/Chicago", Utc(12, 7, 0, 0)).Format("2026-12-07T01:08:00.0000000Z"), Is.EqualTo("2026-12-06 19:08 -06:00 America/Chicago"));
        Assert.That(At("America/Chicago", Utc(12, 7, 0, 0)).Format("not a timestamp"), Is.EqualTo("not a timestamp"));
    }

    [TestCase("America/Chicago", true)]
    [TestCase("Asia/Tokyo", true)]
    [TestCase("America/Atlantis", false)]
    [TestCase("", false)]
    public void A_zone_is_found_by_its_IANA_name(string name, bool found)
    {
        Assert.That(PharmacyClock.TryFindZone(name, out _), Is.EqualTo(found));
    }
}
