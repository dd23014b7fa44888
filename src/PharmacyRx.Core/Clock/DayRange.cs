using System.Globalization;

namespace PharmacyRx.Core.Clock;

/// <summary>
/// The days a person may enter anywhere (filters, report days, dates dispensed): 1900-01-01 to 2999-12-31. Wide
/// enough for any record a pharmacy keeps, narrow enough that a day's neighbours and its start in any time zone exist.
/// </summary>
public static class DayRange
{
    public static readonly DateOnly Earliest = new(1900, 1, 1);

    public static readonly DateOnly Latest = new(2999, 12, 31);

    /// <summary>The range as an error message names it.</summary>
    public static string Text { get; } = $"{Format(Earliest)} to {Format(Latest)}";

    /// <summary>Null when <paramref name="day"/> is within the range; otherwise what is wrong, naming <paramref name="name"/> and the range.</summary>
    public static string? Check(DateOnly? day, string name) =>
        day is { } d && (d < Earliest || d > Latest) ? $"{name} {Format(d)} is outside the days accepted, {Text}" : null;

    /// <summary>
    /// Reads a day as <c>yyyy-MM-dd</c>; empty text is no day. The error names <paramref name="name"/>, the format and the range.
    /// </summary>
    public static (DateOnly? Day, string? Error) Parse(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }
        if (!DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return (null, $"{name} '{text}' is not a day (yyyy-MM-dd, {Text})");
        }
        return Check(day, name) is { } error ? (null, error) : (day, null);
    }

    private static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
