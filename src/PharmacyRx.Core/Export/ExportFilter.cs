using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Export;

/// <summary>
/// Which rows an export holds. A dispensing is in the date range by its date filled; a prescription never dispensed by
/// the day it was received. Name filters are prefixes, matched as search matches them (accents and case ignored).
/// </summary>
public sealed record ExportFilter
{
    /// <summary>The first day, inclusive; null for no lower bound.</summary>
    public DateOnly? From { get; init; }

    /// <summary>The last day, inclusive; null for no upper bound.</summary>
    public DateOnly? To { get; init; }

    /// <summary>
    /// The schedules to include. Empty (the default) means every controlled substance, which is what 1304.04(h)(5)
    /// asks for; <see cref="IncludeUncontrolled"/> adds prescriptions that name no schedule.
    /// </summary>
    public IReadOnlySet<DeaSchedule> Schedules { get; init; } = new HashSet<DeaSchedule>();

    /// <summary>Include prescriptions that are not for a controlled substance; false by default.</summary>
    public bool IncludeUncontrolled { get; init; }

    public string? Prescriber { get; init; }
    public string? Patient { get; init; }
    public string? Drug { get; init; }

    /// <summary>Only dispensings: a prescription never dispensed has no row.</summary>
    public bool DispensedOnly { get; init; }

    /// <summary>The filter as one line for the audit trail and the export's own description.</summary>
    public string Describe()
    {
        var parts = new List<string>
        {
            $"from={From?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "-"}",
            $"to={To?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "-"}",
            $"schedules={(Schedules.Count == 0 ? "controlled" : string.Join(',', Schedules.Order().Select(s => s.ShortName())))}{(IncludeUncontrolled ? "+uncontrolled" : "")}",
        };
        if (!string.IsNullOrWhiteSpace(Prescriber))
        {
            parts.Add($"prescriber={Prescriber.Trim()}");
        }
        if (!string.IsNullOrWhiteSpace(Patient))
        {
            parts.Add($"patient={Patient.Trim()}");
        }
        if (!string.IsNullOrWhiteSpace(Drug))
        {
            parts.Add($"drug={Drug.Trim()}");
        }
        if (DispensedOnly)
        {
            parts.Add("dispensed-only");
        }
        return string.Join("; ", parts);
    }

    /// <summary>Reads "CII,CIII" or "2,3" (and "all" for every schedule plus uncontrolled); an error names the bad part.</summary>
    public static (IReadOnlySet<DeaSchedule> Schedules, bool IncludeUncontrolled, string? Error) ParseSchedules(string? text)
    {
        var schedules = new HashSet<DeaSchedule>();
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("controlled", StringComparison.OrdinalIgnoreCase))
        {
            return (schedules, false, null);
        }
        if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return (schedules, true, null);
        }
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            DeaSchedule? schedule = part.ToUpperInvariant() switch
            {
                "1" or "I" or "CI" => DeaSchedule.ScheduleI,
                "2" or "II" or "CII" => DeaSchedule.ScheduleII,
                "3" or "III" or "CIII" => DeaSchedule.ScheduleIII,
                "4" or "IV" or "CIV" => DeaSchedule.ScheduleIV,
                "5" or "V" or "CV" => DeaSchedule.ScheduleV,
                "C?" or "UNSPECIFIED" => DeaSchedule.Unspecified,
                _ => null,
            };
            if (schedule is null)
            {
                return (schedules, false, $"'{part}' is not a schedule: use CII, CIII, CIV, CV, CI, C?, 'controlled' or 'all'");
            }
            schedules.Add(schedule.Value);
        }
        return (schedules, false, null);
    }
}
