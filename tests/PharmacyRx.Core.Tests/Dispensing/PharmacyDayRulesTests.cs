using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Testing;
using static PharmacyRx.Core.Dispensing.DispensingRules;

namespace PharmacyRx.Core.Tests.Dispensing;

/// <summary>
/// The dispensing rules on the pharmacy's clock (1304.22(c), 1306.12(b), 1306.13(a), 1306.22(a)): today, the day of
/// receipt, the earliest fill date and the partial-fill and six-month windows are the pharmacy's days, whatever the UTC date.
/// </summary>
public class PharmacyDayRulesTests
{
    private const string Chicago = "America/Chicago";
    private const string Tokyo = "Asia/Tokyo";

    private static readonly DateOnly Dec6 = new(2026, 12, 6);

    private static PharmacyClock Clock(string zone, DateOnly day, int hour, int minute) =>
        new(new ManualTimeProvider(new PharmacyClock(TimeProvider.System, TimeZoneInfo.FindSystemTimeZoneById(zone)).At(day, new TimeSpan(hour, minute, 0))),
            TimeZoneInfo.FindSystemTimeZoneById(zone));

    /// <summary>A Schedule II (or other) prescription the pharmacy received when <paramref name="receivedOn"/>'s clock said so.</summary>
    private static PrescriptionFacts Rx(PharmacyClock receivedOn, DeaSchedule schedule = DeaSchedule.ScheduleII, DateOnly? written = null, DateOnly? earliest = null) => new()
    {
        IsPrescription = true,
        CurrentStatus = PrescriptionStatus.VerifiedOnReceipt,
        Schedule = schedule,
        QuantityPrescribed = 30,
        RefillsAuthorized = schedule == DeaSchedule.ScheduleII ? 0 : 5,
        WrittenDate = written ?? Dec6.AddDays(-1),
        EarliestFillDate = earliest,
        ReceivedDate = receivedOn.Today,
    };

    private static string Decide(PrescriptionFacts rx, PharmacyClock now, DateOnly dated, params PriorFill[] prior)
    {
        var decision = DispensingRules.Decide(rx, prior, new Request(10, dated, "SP"), now.Today);
        return decision.Allowed ? "Allowed" : decision.Code;
    }

    [Test]
    [Property("Rule", "1311.205(b)(10)")]
    public void At_19_08_in_Chicago_a_fill_received_at_19_00_is_dated_that_day_and_not_the_next()
    {
        var rx = Rx(Clock(Chicago, Dec6, 19, 0));
        var now = Clock(Chicago, Dec6, 19, 8);

        Assert.That((Decide(rx, now, Dec6), Decide(rx, now, Dec6.AddDays(1))), Is.EqualTo(("Allowed", "DateInFuture")));
    }

    [Test]
    [Property("Rule", "1311.205(b)(10)")]
    public void At_00_30_in_Tokyo_a_fill_is_dated_that_day_though_UTC_is_still_the_day_before()
    {
        var rx = Rx(Clock(Tokyo, Dec6, 0, 30));
        var now = Clock(Tokyo, Dec6, 0, 30);

        Assert.That((Decide(rx, now, Dec6), Decide(rx, now, Dec6.AddDays(-1))), Is.EqualTo(("Allowed", "DateBeforeReceipt")));
    }

    [Test]
    [Property("Rule", "1311.205(b)(10)")]
    public void The_72_hour_window_for_the_remainder_of_a_partial_fill_counts_the_pharmacys_days()
    {
        var rx = Rx(Clock(Chicago, Dec6, 19, 0));
        var first = new PriorFill(10, Dec6);

        Assert.That(Decide(rx, Clock(Chicago, Dec6.AddDays(3), 23, 30), Dec6.AddDays(3), first), Is.EqualTo("Allowed"), "UTC is already the 10th");
        Assert.That(Decide(rx, Clock(Chicago, Dec6.AddDays(4), 0, 30), Dec6.AddDays(4), first), Is.EqualTo("PartialFillWindowClosed"));
    }

    [Test]
    [Property("Rule", "1311.205(b)(10)")]
    public void The_earliest_fill_date_is_reached_at_the_pharmacys_midnight()
    {
        var earliest = Dec6.AddDays(2);
        var chicago = Rx(Clock(Chicago, Dec6, 12, 0), earliest: earliest);
        var tokyo = Rx(Clock(Tokyo, Dec6, 12, 0), earliest: earliest);

        Assert.That(Decide(chicago, Clock(Chicago, Dec6.AddDays(1), 23, 30), earliest), Is.EqualTo("DateInFuture"), "UTC is already the 8th");
        Assert.That(Decide(chicago, Clock(Chicago, Dec6.AddDays(1), 23, 30), Dec6.AddDays(1)), Is.EqualTo("BeforeEarliestFillDate"));
        Assert.That(Decide(tokyo, Clock(Tokyo, earliest, 0, 30), earliest), Is.EqualTo("Allowed"), "UTC is still the 7th");
    }

    [Test]
    [Property("Rule", "1311.205(b)(10)")]
    public void Six_months_after_the_written_date_ends_at_the_pharmacys_midnight()
    {
        var rx = Rx(Clock(Chicago, Dec6.AddMonths(-1), 12, 0), DeaSchedule.ScheduleIII, written: Dec6.AddMonths(-6));

        Assert.That(Decide(rx, Clock(Chicago, Dec6, 23, 30), Dec6), Is.EqualTo("Allowed"), "UTC is already the 7th");
        Assert.That(Decide(rx, Clock(Chicago, Dec6.AddDays(1), 0, 30), Dec6.AddDays(1)), Is.EqualTo("PastSixMonths"));
    }

    [TestCase(2026, 3, 8, TestName = "On_the_23_hour_day_23_30_and_00_30_fall_on_that_day_and_the_next")]
    [TestCase(2026, 11, 1, TestName = "On_the_25_hour_day_23_30_and_00_30_fall_on_that_day_and_the_next")]
    [Property("Rule", "1311.205(b)(10)")]
    public void On_the_days_the_clocks_change(int year, int month, int day)
    {
        var changeDay = new DateOnly(year, month, day);
        var rx = Rx(Clock(Chicago, changeDay, 0, 30), written: changeDay.AddDays(-1));

        Assert.That(Decide(rx, Clock(Chicago, changeDay, 23, 30), changeDay), Is.EqualTo("Allowed"));
        Assert.That(Decide(rx, Clock(Chicago, changeDay, 23, 30), changeDay.AddDays(1)), Is.EqualTo("DateInFuture"));
        Assert.That(Decide(rx, Clock(Chicago, changeDay.AddDays(1), 0, 30), changeDay.AddDays(1)), Is.EqualTo("Allowed"));
    }
}
