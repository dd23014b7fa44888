using System.Globalization;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Export;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Export;
using PharmacyRx.Storage.Retrieval;

namespace PharmacyRx.Host.Export;

/// <summary>
/// Writes an inspector's export (1304.04(h)(5), 1311.205(b)(12)) to a file: derives the details of any prescription
/// received since the last derivation, streams the rows into the format's writer, and audits who exported what with
/// which filter and how many rows (1311.215). The file appears whole or not at all: it is written beside the target
/// and moved into place; a failed export is audited as a failure and leaves nothing.
/// </summary>
public sealed class InspectorExport(PrescriptionDetails details, ExportQuery query, AuditLog audit, TimeProvider time)
{
    /// <summary>Writes the export to <paramref name="path"/>, which must not exist; returns the number of rows.</summary>
    public async Task<long> WriteAsync(ExportRequest request, string path, string actor, CancellationToken cancellationToken)
    {
        if (File.Exists(path))
        {
            throw new IOException($"{path} exists; an export does not overwrite a file");
        }
        var partial = path + ".partial";
        File.Delete(partial);
        long rows = 0;
        try
        {
            await details.CatchUpAsync(cancellationToken);
            await using (var stream = request.Format == ExportFormat.Sqlite ? null : new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var writer = Open(request.Format, stream, partial))
            {
                await foreach (var row in query.ReadAsync(request.Filter, request.Sort, cancellationToken))
                {
                    writer.Write(row);
                    rows++;
                }
                writer.Complete(new ExportDescription(time.GetUtcNow(), actor, request.Sort, request.Filter.Describe()), rows);
            }
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

    private static IExportWriter Open(ExportFormat format, Stream? stream, string path) => format switch
    {
        ExportFormat.Csv => new CsvExportWriter(stream!),
        ExportFormat.Xlsx => new XlsxExportWriter(stream!),
        _ => new SqliteExportWriter(path),
    };

    private static string Describe(ExportRequest request) =>
        $"format={request.Extension}; sort={request.Sort}; {request.Filter.Describe()}";

    // Audited whatever the caller's token says: the rows have been read by then.
    private Task AuditAsync(ExportRequest request, string actor, AuditOutcome outcome, string detail) =>
        audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.PrescriptionsExported, actor, outcome, request.Extension, detail)], CancellationToken.None);
}
