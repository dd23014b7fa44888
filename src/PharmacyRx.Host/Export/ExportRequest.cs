using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Export;

namespace PharmacyRx.Host.Export;

/// <summary>What an inspector asked for: a format, an order and a filter.</summary>
public sealed record ExportRequest(ExportFormat Format, ExportSort Sort, ExportFilter Filter)
{
    /// <summary>The file extension of the format.</summary>
    public string Extension => Format switch
    {
        ExportFormat.Csv => "csv",
        ExportFormat.Xlsx => "xlsx",
        _ => "sqlite",
    };

    public string ContentType => Format switch
    {
        ExportFormat.Csv => "text/csv; charset=utf-8",
        ExportFormat.Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/vnd.sqlite3",
    };

    /// <summary>
    /// Reads the request as the command line and the API spell it (format csv|xlsx|sqlite; sort
    /// prescriber|patient|drug|date-filled; days yyyy-MM-dd; schedules as <see cref="ExportFilter.ParseSchedules"/>).
    /// Returns an error naming the bad value instead of a request.
    /// </summary>
    public static (ExportRequest? Request, string? Error) Parse(
        string? format, string? sort, string? from, string? to, string? schedule, string? prescriber, string? patient, string? drug,
        bool dispensedOnly = false)
    {
        ExportFormat? parsedFormat = (format ?? "csv").ToLowerInvariant() switch
        {
            "csv" => ExportFormat.Csv,
            "xlsx" => ExportFormat.Xlsx,
            "sqlite" => ExportFormat.Sqlite,
            _ => null,
        };
        if (parsedFormat is null)
        {
            return (null, $"format '{format}' is not csv, xlsx or sqlite");
        }
        ExportSort? parsedSort = (sort ?? "date-filled").ToLowerInvariant() switch
        {
            "prescriber" => ExportSort.Prescriber,
            "patient" => ExportSort.Patient,
            "drug" => ExportSort.Drug,
            "date-filled" => ExportSort.DateFilled,
            _ => null,
        };
        if (parsedSort is null)
        {
            return (null, $"sort '{sort}' is not prescriber, patient, drug or date-filled");
        }
        var (fromDay, fromError) = Day(from, "from");
        var (toDay, toError) = Day(to, "to");
        if ((fromError ?? toError) is { } dayError)
        {
            return (null, dayError);
        }
        if (fromDay > toDay)
        {
            return (null, $"from {from} is after to {to}");
        }
        var (schedules, includeUncontrolled, scheduleError) = ExportFilter.ParseSchedules(schedule);
        if (scheduleError is not null)
        {
            return (null, scheduleError);
        }
        return (new ExportRequest(parsedFormat.Value, parsedSort.Value, new ExportFilter
        {
            From = fromDay,
            To = toDay,
            Schedules = schedules,
            IncludeUncontrolled = includeUncontrolled,
            Prescriber = prescriber,
            Patient = patient,
            Drug = drug,
            DispensedOnly = dispensedOnly,
        }), null);
    }

    private static (DateOnly? Day, string? Error) Day(string? text, string name) => DayRange.Parse(text, name);
}
