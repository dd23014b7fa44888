using Microsoft.AspNetCore.Http.HttpResults;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Access;
using PharmacyRx.Host.Export;

namespace PharmacyRx.Host.Api;

/// <summary>
/// Inspector exports (1304.04(h)(5), 1311.205(b)(12)) for users with <see cref="Permission.Export"/>: the file is
/// written under the data folder, streamed to the caller and deleted as it closes.
/// </summary>
public static class ExportApi
{
    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder app)
    {
        var exports = app.MapGroup("/api/exports").WithTags("Exports").RequirePermission(Permission.Export);
        exports.MapGet("/", ExportAsync).WithName("ExportPrescriptions");
        return app;
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> ExportAsync(
        HttpContext context, InspectorExport export, DataFolder data, CancellationToken cancellationToken,
        string? format = null, string? sort = null, string? from = null, string? to = null, string? schedule = null,
        string? prescriber = null, string? patient = null, string? drug = null, bool dispensedOnly = false)
    {
        var (request, error) = ExportRequest.Parse(format, sort, from, to, schedule, prescriber, patient, drug, dispensedOnly);
        if (request is null)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad export request", detail: error);
        }
        var (file, name) = await WriteAsync(request, export, data, context.UserName(), cancellationToken);
        return TypedResults.Stream(file, request.ContentType, name);
    }

    /// <summary>
    /// Writes the export (audited by <see cref="InspectorExport"/>) under the data folder and opens it to be streamed;
    /// the file is deleted as the stream closes. For the API and the console's export form.
    /// </summary>
    internal static async Task<(FileStream File, string Name)> WriteAsync(
        ExportRequest request, InspectorExport export, DataFolder data, string actor, CancellationToken cancellationToken)
    {
        var path = Path.Combine(data.ExportsFolder, $"{Guid.NewGuid():N}.{request.Extension}");
        await export.WriteAsync(request, path, actor, cancellationToken);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Delete, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        return (file, $"prescriptions-{request.Sort.ToString().ToLowerInvariant()}.{request.Extension}");
    }
}
