using System.Globalization;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Clock;

/// <summary>
/// The pharmacy's own time: instants stay UTC, and every date a person enters or reads (date dispensed, report days,
/// ranges, backup days) is a calendar day in the pharmacy's zone. One per pharmacy served; see <c>docs/time.md</c>.
/// </summary>
public sealed class PharmacyClock(TimeProvider time, TimeZoneInfo zone)
{
    /// <summary>The pharmacy's time zone.</summary>
    public TimeZoneInfo Zone { get; } = zone;

    /// <summary>The current instant (UTC).</summary>
    public DateTimeOffset GetUtcNow() => time.GetUtcNow();

    /// <summary>The pharmacy's calendar day now.</summary>
    public DateOnly Today => ToLocalDate(time.GetUtcNow());

    /// <summary>An instant as the pharmacy's wall-clock time, with its offset.</summary>
    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>The pharmacy's calendar day an instant falls on.</summary>
    public DateOnly ToLocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(ToLocal(instant).DateTime);

    /// <summary>The first instant of a pharmacy day: 23 hours before the next one on the day clocks go forward, 25 on the day they go back.</summary>
    public DateTimeOffset StartOfDay(DateOnly day) => At(day, TimeSpan.Zero);

    /// <summary>
    /// The instant the pharmacy's clocks show <paramref name="timeOfDay"/> on <paramref name="day"/>: a time skipped when clocks go
    /// forward is the first one after the gap; a time shown twice when they go back is its first showing.
    /// </summary>
    public DateTimeOffset At(DateOnly day, TimeSpan timeOfDay)
    {
        var local = day.ToDateTime(TimeOnly.MinValue) + timeOfDay;
        while (Zone.IsInvalidTime(local))
        {
            // Clocks went forward over this wall time: the day (or the job) starts when they show the gap's end.
            local = local.AddMinutes(1);
        }
        if (Zone.IsAmbiguousTime(local))
        {
            return new DateTimeOffset(local, Zone.GetAmbiguousTimeOffsets(local).Max());
        }
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    /// <summary>An instant for a person to read: "2026-12-06 19:08 -06:00 America/Chicago".</summary>
    public string Format(DateTimeOffset instant) =>
        ToLocal(instant).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture) + " " + Zone.Id;

    /// <summary>A stored UTC timestamp (<see cref="ReceiptSeal.FormatTimestamp"/>) for a person to read; other text as stored.</summary>
    public string Format(string timestamp) => ReceiptSeal.TryParseTimestamp(timestamp, out var at) ? Format(at) : timestamp;

    /// <summary>The zone an IANA name (or a name the platform knows) stands for; false for anything else.</summary>
    public static bool TryFindZone(string? name, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(name.Trim());
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }
}
