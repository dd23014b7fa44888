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
        HttpContext context, InspectorExport export, CancellationToken cancellationToken,
        string? format = null, string? sort = null, string? from = null, string? to = null, string? schedule = null,
        string? prescriber = null, string? patient = null, string? drug = null, bool dispensedOnly = false)
    {
        var (request, error) = ExportRequest.Parse(format, sort, from, to, schedule, prescriber, patient, drug, dispensedOnly);
        if (request is null)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad export request", detail: error);
        }
        var (file, name) = await export.OpenDownloadAsync(request, context.UserName(), cancellationToken);
        return TypedResults.Stream(file, request.ContentType, name);
    }
}
