namespace PharmacyRx.Testing;

/// <summary>Pharmacy days a test sets its clock to: soon after today, and the next days a zone's clocks change.</summary>
public static class PharmacyHours
{
    /// <summary>The day after tomorrow in the zone: ahead of every key and record the test's pharmacy made at start.</summary>
    public static DateOnly Soon(string zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById(zone)).DateTime).AddDays(2);

    /// <summary>The next day, from the day after tomorrow on, on which the zone's clocks go forward (a 23-hour day) or back (25 hours).</summary>
    public static DateOnly NextClockChange(string zone, bool forward)
    {
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        TimeSpan Noon(DateOnly day) => tz.GetUtcOffset(day.ToDateTime(new TimeOnly(12, 0)));
        for (var day = Soon(zone); day < Soon(zone).AddDays(400); day = day.AddDays(1))
        {
            var change = Noon(day) - Noon(day.AddDays(-1));
            if (forward ? change > TimeSpan.Zero : change < TimeSpan.Zero)
            {
                return day;
            }
        }
        throw new InvalidOperationException($"{zone} does not change its clocks");
    }
}
