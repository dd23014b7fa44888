using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Clock;
using PharmacyRx.Host.Access;
using PharmacyRx.Host.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Api;

/// <summary>
/// The daily audit reports (1311.215(b)) and the security incidents (1311.215(c)): the flagged events and their state, a
/// decision over several events, an incident marked sent, an incident's report. For users with <see cref="Permission.ReadAudit"/>.
/// </summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/audit/reports").WithTags("Audit").RequirePermission(Permission.ReadAudit);
        reports.MapGet("/", (AuditReporter reporter) => TypedResults.Ok(reporter.Days())).WithName("ListAuditReports");
        reports.MapGet("/{day}", Report).WithName("GetAuditReport");

        var incidents = app.MapGroup("/api/audit/incidents").WithTags("Audit").RequirePermission(Permission.ReadAudit);
        incidents.MapGet("/", ListIncidentsAsync).WithName("ListSecurityIncidents");
        incidents.MapPost("/decisions", DecideAsync).WithName("DecideSecurityIncident");
        incidents.MapPost("/{id:guid}/reported", MarkReportedAsync).WithName("MarkIncidentReported");
        incidents.MapGet("/{id:guid}/report", IncidentReportAsync).WithName("GetIncidentReport");
        return app;
    }

    /// <summary>A decision over flagged events: an incident (with what was done) or not, and why.</summary>
    public sealed record DecisionRequest(long[]? Sequences, bool Incident, string? Reason, string? ActionTaken);

    /// <summary>An incident's report sent: to whom, and when (now when left out).</summary>
    public sealed record ReportedRequest(string? ReportedTo, DateTimeOffset? ReportedAt);

    public sealed record DecisionResponse(Guid DecisionId);

    private static async Task<Ok<IncidentViews.IncidentsView>> ListIncidentsAsync(IncidentStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(IncidentViews.View(await store.ReadAsync(cancellationToken)));

    private static async Task<Results<Ok<DecisionResponse>, ProblemHttpResult>> DecideAsync(
        DecisionRequest request, HttpContext context, IncidentStore store, CancellationToken cancellationToken)
    {
        var decided = await store.DecideAsync(request.Sequences ?? [], request.Incident, request.Reason, request.ActionTaken, context.UserName(), cancellationToken);
        return decided.DecisionId is { } id
            ? TypedResults.Ok(new DecisionResponse(id))
            : TypedResults.Problem(statusCode: 400, title: "Not decided", detail: decided.Problem);
    }

    private static async Task<Results<Ok<DecisionResponse>, ProblemHttpResult>> MarkReportedAsync(
        Guid id, ReportedRequest request, HttpContext context, IncidentStore store, CancellationToken cancellationToken)
    {
        var marked = await store.MarkReportedAsync(id, request.ReportedTo, request.ReportedAt, context.UserName(), cancellationToken);
        return marked.DecisionId is { } decision
            ? TypedResults.Ok(new DecisionResponse(decision))
            : TypedResults.Problem(statusCode: 400, title: "Not marked sent", detail: marked.Problem);
    }

    private static async Task<Results<ContentHttpResult, NotFound<ProblemDetails>, ProblemHttpResult>> IncidentReportAsync(
        Guid id, HttpContext context, IncidentStore store, CancellationToken cancellationToken, string format = "txt")
    {
        if (format is not ("txt" or "html"))
        {
            return TypedResults.Problem(statusCode: 400, title: "Unknown format", detail: "format is txt or html");
        }
        if (await store.ReportAsync(id, cancellationToken) is not { } report)
        {
            return TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = $"no incident report {id:D}" });
        }
        if (format == "txt")
        {
            return TypedResults.Content(report.Text, "text/plain; charset=utf-8");
        }
        // The report's own style sheet and nothing else: no script, sandboxed.
        context.Response.Headers.ContentSecurityPolicy = IncidentViews.ReportPolicy;
        return TypedResults.Content(report.Html, "text/html; charset=utf-8");
    }

    private static Results<ContentHttpResult, NotFound<ProblemDetails>, ProblemHttpResult> Report(string day, AuditReporter reporter, string format = "json")
    {
        var (parsed, error) = DayRange.Parse(day, "the day");
        if (parsed is not { } date)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad date", detail: error ?? $"the day is yyyy-MM-dd, {DayRange.Text}");
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
