using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Access;
using PharmacyRx.Host.Audit;

namespace PharmacyRx.Host.Api;

/// <summary>The daily audit reports (1311.215(b)), for users with <see cref="Permission.ReadAudit"/>.</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/audit/reports").WithTags("Audit").RequirePermission(Permission.ReadAudit);
        reports.MapGet("/", (AuditReporter reporter) => TypedResults.Ok(reporter.Days())).WithName("ListAuditReports");
        reports.MapGet("/{day}", Report).WithName("GetAuditReport");
        return app;
    }

    private static Results<ContentHttpResult, NotFound<ProblemDetails>, ProblemHttpResult> Report(string day, AuditReporter reporter, string format = "json")
    {
        if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad date", detail: "the day is yyyy-MM-dd");
        }
        var contentType = format switch
        {
            "json" => "application/json",
            "csv" => "text/csv; charset=utf-8",
            "html" => "text/html; charset=utf-8",
            "txt" => "text/plain; charset=utf-8",
            _ => null,
        };
        if (contentType is null)
        {
            return TypedResults.Problem(statusCode: 400, title: "Unknown format", detail: "format is json, csv, html or txt");
        }
        return reporter.Read(date, format) is { } content
            ? TypedResults.Content(content, contentType)
            : TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = $"no audit report for {day}" });
    }
}
