using System.Globalization;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Export;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Export;
using PharmacyRx.Storage.Prescriptions;

namespace PharmacyRx.Host.Export;

/// <summary>
/// Writes an inspector's export (1304.04(h)(5), 1311.205(b)(12)) to a file, sorted through <see cref="ExportSorter"/>,
/// and audits who exported what with which filter and how many rows (1311.215). The file appears whole or not at all;
/// a failed export is audited as a failure and leaves nothing.
/// </summary>
public sealed class InspectorExport(PrescriptionDetails details, ExportQuery query, AuditLog audit, DataFolder data, TimeProvider time, PharmacyClock clock)
{
    private const int ChunkBytes = 24 << 20;

    /// <summary>Another XLSX writer in place of <see cref="XlsxExportWriter"/>: the export benchmark's side-by-side run.</summary>
    internal Func<Stream, IExportWriter>? XlsxWriter { get; set; }

    /// <summary>Writes the export to <paramref name="path"/>, which must not exist; returns the number of rows.</summary>
    public async Task<long> WriteAsync(ExportRequest request, string path, string actor, CancellationToken cancellationToken)
    {
        if (File.Exists(path))
        {
            throw new IOException($"{path} exists; an export does not overwrite a file");
        }
        Directory.CreateDirectory(data.ExportsFolder);
        var partial = path + ".partial";
        File.Delete(partial);
        long rows = 0;
        try
        {
            await details.CatchUpAsync(cancellationToken);
            // Run files and API downloads hold names and addresses: whatever a stopped process left there is removed.
            foreach (var stale in Directory.EnumerateFiles(data.ExportsFolder).Where(f => File.GetLastWriteTimeUtc(f) < time.GetUtcNow().UtcDateTime.AddDays(-1)))
            {
                File.Delete(stale);
            }
            // Two readers side by side (the rows' bytes come from SQLite at about 1 µs a row per core), each with its own
            // sorter of two 24 MiB chunks: 96 MiB in all, whatever the number of rows.
            using var first = new ExportSorter(data.ExportsFolder, ChunkBytes);
            using var second = new ExportSorter(data.ExportsFolder, ChunkBytes);
            ExportSorter[] sorters = [first, second];
            // Seconds of work on SQLite's synchronous API and the file: off the caller's thread.
            await Task.Run(async () =>
            {
                await query.ReadAsync(request.Filter, request.Sort, sorters, cancellationToken);
                using var writer = Open(request.Format, partial);
                rows = ExportSorter.WriteTo(sorters, writer);
                writer.Complete(new ExportDescription(time.GetUtcNow(), actor, request.Sort, request.Filter.Describe(), clock.Zone.Id), rows);
            }, cancellationToken);
            File.Move(partial, path);
        }
        catch (Exception failure) when (failure is not OutOfMemoryException)
        {
            File.Delete(partial);
            await AuditAsync(request, actor, AuditOutcome.Failure, $"{Describe(request)}; failed after {rows.ToString(CultureInfo.InvariantCulture)} rows: {failure.GetType().Name}");
            throw;
        }
        await AuditAsync(request, actor, AuditOutcome.Success, $"{Describe(request)}; rows={rows.ToString(CultureInfo.InvariantCulture)}");
        return rows;
    }

    /// <summary>
    /// Writes the export under the data folder and opens it to be streamed, with the name the caller saves it under; the
    /// file is deleted as the stream closes. For the API and the console's export form.
    /// </summary>
    public async Task<(FileStream File, string Name)> OpenDownloadAsync(ExportRequest request, string actor, CancellationToken cancellationToken)
    {
        var path = Path.Combine(data.ExportsFolder, $"{Guid.NewGuid():N}.{request.Extension}");
        await WriteAsync(request, path, actor, cancellationToken);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Delete, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        return (file, $"prescriptions-{request.Sort.ToString().ToLowerInvariant()}.{request.Extension}");
    }

    private IExportWriter Open(ExportFormat format, string path) => format switch
    {
        ExportFormat.Csv => new CsvExportWriter(NewFile(path)),
        ExportFormat.Xlsx => XlsxWriter is { } other ? other(NewFile(path)) : new XlsxExportWriter(NewFile(path)),
        _ => new SqliteExportWriter(path),
    };

    private static FileStream NewFile(string path) => new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);

    private static string Describe(ExportRequest request) =>
        $"format={request.Extension}; sort={request.Sort}; {request.Filter.Describe()}";

    // Audited whatever the caller's token says: the rows have been read by then.
    private Task AuditAsync(ExportRequest request, string actor, AuditOutcome outcome, string detail) =>
        audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.PrescriptionsExported, actor, outcome, request.Extension, detail)], CancellationToken.None);
}
