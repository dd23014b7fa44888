namespace PharmacyRx.Core.Audit;

/// <summary>
/// 1311.215(c): a security incident is reported within one business day. The business day is the next weekday after the
/// day it was decided (Saturday and Sunday skipped); the report is due by the end of that day, pharmacy local time.
/// </summary>
public static class ReportingDeadline
{
    /// <summary>The day a report is due for an incident decided on <paramref name="decidedOn"/>: the next weekday.</summary>
    public static DateOnly DueDay(DateOnly decidedOn)
    {
        var day = decidedOn.AddDays(1);
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            day = day.AddDays(1);
        }
        return day;
    }

    /// <summary>The instant the report becomes overdue: the end of <see cref="DueDay"/> in <paramref name="zone"/>.</summary>
    public static DateTimeOffset DueBy(DateTimeOffset decidedAt, TimeZoneInfo zone)
    {
        // The pharmacy's day boundaries, as every other (PharmacyClock.StartOfDay): a midnight shown twice is its first.
        var clock = new Clock.PharmacyClock(TimeProvider.System, zone);
        return clock.StartOfDay(DueDay(clock.ToLocalDate(decidedAt)).AddDays(1));
    }
}
