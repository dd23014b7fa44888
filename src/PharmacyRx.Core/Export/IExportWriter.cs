namespace PharmacyRx.Core.Export;

/// <summary>
/// What an export is of, for the formats that can carry it (the SQLite file's <c>export_info</c>); <paramref name="TimeZone"/>
/// is the pharmacy's zone, of which the range's days and the date columns are days.
/// </summary>
public sealed record ExportDescription(DateTimeOffset ExportedAt, string ExportedBy, ExportSort Sort, string Filter, string TimeZone);

/// <summary>Writes export rows (<see cref="ExportRecord"/>) to a file in one format, one at a time, holding no more than a buffer.</summary>
public interface IExportWriter : IDisposable
{
    void Write(ReadOnlySpan<byte> record);

    /// <summary>Finishes the file; a writer disposed without it leaves an unfinished file the caller deletes.</summary>
    void Complete(ExportDescription description, long rows);
}
