using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Access;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Prescriptions;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Dispensing;
using PharmacyRx.Storage.Prescriptions;

namespace PharmacyRx.Host.Api;

/// <summary>
/// The pharmacist's API: search and open prescriptions (1311.205(b)(11)), annotate them (1311.200(f)), correct, transfer
/// or void them, record dispensings (1311.205(b)(10)). Each route requires its permission; a refusal is audited.
/// </summary>
public static class PrescriptionApi
{
    public sealed record AnnotationRequest(string Type, Dictionary<string, string>? Fields);

    /// <summary>A dispensing as asked for; <c>partial</c> names why a Schedule II prescription is filled in part (<see cref="PartialFillBasis"/>).</summary>
    public sealed record DispensingRequest(decimal Quantity, DateOnly DateDispensed, string Dispenser, string? Reason = null, string? Partial = null);

    public sealed record Appended(long Id, int? RefillNumber);

    public static IEndpointRouteBuilder MapPrescriptionApi(this IEndpointRouteBuilder app)
    {
        var prescriptions = app.MapGroup("/api/prescriptions").WithTags("Prescriptions");
        var read = prescriptions.MapGroup("").RequirePermission(Permission.ReadPrescriptions);
        read.MapGet("/", SearchAsync).WithName("SearchPrescriptions");
        read.MapGet("/{receiptId:guid}", DetailAsync).WithName("GetPrescription");
        read.MapGet("/{receiptId:guid}/as-received", AsReceivedAsync).WithName("GetAsReceived");
        read.MapGet("/{receiptId:guid}/annotations", AnnotationsAsync).WithName("ListAnnotations");
        read.MapGet("/{receiptId:guid}/dispensings", DispensingsAsync).WithName("ListDispensings");
        read.MapGet("/by-number/{number:long}/refills", RefillsAsync).WithName("RefillHistory");

        prescriptions.MapPost("/{receiptId:guid}/annotations", AnnotateAsync).RequirePermission(Permission.Annotate).WithName("Annotate");
        prescriptions.MapPost("/{receiptId:guid}/corrections", CorrectAsync).RequirePermission(Permission.AlterPrescription).WithName("Correct");
        prescriptions.MapPost("/{receiptId:guid}/transfers", TransferAsync).RequirePermission(Permission.AlterPrescription).WithName("TransferOut");
        prescriptions.MapPost("/{receiptId:guid}/void", VoidAsync).RequirePermission(Permission.DeletePrescription).WithName("Void");
        prescriptions.MapPost("/{receiptId:guid}/dispensings", DispenseAsync).RequirePermission(Permission.Dispense).WithName("Dispense");
        return app;
    }

    private static async Task<Results<Ok<PrescriptionSearch.Page>, ProblemHttpResult>> SearchAsync(
        PrescriptionSearch search, CancellationToken cancellationToken,
        string? patient = null, string? prescriber = null, string? drug = null, string? dispensedFrom = null, string? dispensedTo = null,
        string? receivedFrom = null, string? receivedTo = null, string? schedule = null, string? status = null, string? number = null,
        string? sort = null, bool descending = true, string? page = null, string? pageSize = null, string? birthDate = null)
    {
        // Dates and numbers are read here rather than bound, so that a value out of its type's range is refused naming the
        // range the search accepts, as a value within the type but outside the range is.
        var days = new Dictionary<string, DateOnly?>();
        foreach (var (name, text) in new[] { ("dispensedFrom", dispensedFrom), ("dispensedTo", dispensedTo), ("receivedFrom", receivedFrom), ("receivedTo", receivedTo), ("birthDate", birthDate) })
        {
            var (day, error) = DayRange.Parse(text, name);
            if (error is not null)
            {
                return TypedResults.Problem(statusCode: 400, title: "Bad date", detail: error);
            }
            days[name] = day;
        }
        var pageRange = $"page is 1 or more and pageSize 1 to {SearchRequest.MaxPageSize}";
        if (!Whole(page, 1, out var pageNumber) || !Whole(pageSize, 50, out var size))
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad page", detail: pageRange);
        }
        long? prescriptionNumber = null;
        if (!string.IsNullOrWhiteSpace(number))
        {
            if (!long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsedNumber))
            {
                return TypedResults.Problem(statusCode: 400, title: "Bad number", detail: $"number is a prescription number, 1 to {long.MaxValue}");
            }
            prescriptionNumber = parsedNumber;
        }
        var (query, problem) = SearchRequest.Check(new PrescriptionQuery
        {
            Patient = patient,
            Prescriber = prescriber,
            Drug = drug,
            DispensedFrom = days["dispensedFrom"],
            DispensedTo = days["dispensedTo"],
            ReceivedFrom = days["receivedFrom"],
            ReceivedTo = days["receivedTo"],
            BirthDate = days["birthDate"],
            Schedule = schedule,
            PrescriptionNumber = prescriptionNumber,
            Descending = descending,
            Page = pageNumber,
            PageSize = size,
        }, sort, status);
        return query is null
            ? TypedResults.Problem(statusCode: 400, title: problem!.Value.Title, detail: problem.Value.Detail)
            : TypedResults.Ok(await search.SearchAsync(query, cancellationToken));
    }

    /// <summary>A whole number in <c>int</c>'s range; empty text is <paramref name="absent"/>.</summary>
    private static bool Whole(string? text, int absent, out int value)
    {
        value = absent;
        return string.IsNullOrWhiteSpace(text) || int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static async Task<Results<Ok<PrescriptionView>, NotFound<ProblemDetails>>> DetailAsync(
        Guid receiptId, PrescriptionViews views, CancellationToken cancellationToken) =>
        await views.ViewAsync(receiptId, cancellationToken) is { } view ? TypedResults.Ok(view) : NotFound(receiptId);

    private static async Task<Results<FileContentHttpResult, NotFound<ProblemDetails>>> AsReceivedAsync(
        Guid receiptId, ArchiveQueries archive, CancellationToken cancellationToken) =>
        await archive.FindAsync(receiptId.ToString("D"), cancellationToken) is { } record
            ? TypedResults.File(record.AsReceived, "application/xml", $"{record.ReceiptId}.xml")
            : NotFound(receiptId);

    private static async Task<Ok<IReadOnlyList<PharmacyWorkStore.Annotation>>> AnnotationsAsync(
        Guid receiptId, PharmacyWorkStore work, CancellationToken cancellationToken) =>
        TypedResults.Ok(await work.AnnotationsAsync(receiptId, cancellationToken));

    private static async Task<Ok<IReadOnlyList<PharmacyWorkStore.Dispensing>>> DispensingsAsync(
        Guid receiptId, PharmacyWorkStore work, CancellationToken cancellationToken) =>
        TypedResults.Ok(await work.DispensingsAsync(receiptId, cancellationToken));

    private static async Task<Results<Ok<PrescriptionSearch.RefillHistory>, NotFound<ProblemDetails>>> RefillsAsync(
        long number, PrescriptionSearch search, CancellationToken cancellationToken) =>
        await search.RefillHistoryAsync(number, cancellationToken) is { } history
            ? TypedResults.Ok(history)
            : TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = $"no prescription number {number}" });

    private static Task<Results<Created<Appended>, NotFound<ProblemDetails>, ProblemHttpResult>> AnnotateAsync(
        Guid receiptId, AnnotationRequest request, HttpContext context, PharmacyWorkStore work, CancellationToken cancellationToken)
    {
        if (!ExactName.TryParse<AnnotationType>(request.Type, out var type) || !AnnotationRules.Plain.Contains(type))
        {
            return Task.FromResult<Results<Created<Appended>, NotFound<ProblemDetails>, ProblemHttpResult>>(TypedResults.Problem(
                statusCode: 400, title: "Unknown annotation type",
                detail: $"type is one of {string.Join(", ", AnnotationRules.Plain)}; corrections, transfers and voids have routes of their own"));
        }
        return AppendAsync(receiptId, type, request.Fields ?? [], context, work, cancellationToken);
    }

    private static Task<Results<Created<Appended>, NotFound<ProblemDetails>, ProblemHttpResult>> CorrectAsync(
        Guid receiptId, Dictionary<string, string> fields, HttpContext context, PharmacyWorkStore work, CancellationToken cancellationToken)
    {
        if (fields.TryGetValue("field", out var field) && AnnotationRules.CorrectableField(field) is null)
        {
            return Task.FromResult<Results<Created<Appended>, NotFound<ProblemDetails>, ProblemHttpResult>>(TypedResults.Problem(
                statusCode: 400, title: "Unknown field", detail: $"field is one of {string.Join(", ", AnnotationRules.CorrectableFields.Select(p => p.Name))}"));
        }
        return AppendAsync(receiptId, AnnotationType.Correction, fields, context, work, cancellationToken);
    }

    private static Task<Results<Created<Appended>, NotFound<ProblemDetails>, ProblemHttpResult>> TransferAsync(
        Guid receiptId, Dictionary<string, string> fields, HttpContext context, PharmacyWorkStore work, CancellationToken cancellationToken) =>
        AppendAsync(receiptId, AnnotationType.TransferOut, fields, context, work, cancellationToken);

    private static Task<Results<Created<Appended>, NotFound<ProblemDetails>, ProblemHttpResult>> VoidAsync(
        Guid receiptId, Dictionary<string, string> fields, HttpContext context, PharmacyWorkStore work, CancellationToken cancellationToken) =>
        AppendAsync(receiptId, AnnotationType.Void, fields, context, work, cancellationToken);

    private static async Task<Results<Created<Appended>, NotFound<ProblemDetails>, ProblemHttpResult>> DispenseAsync(
        Guid receiptId, DispensingRequest request, HttpContext context, PharmacyWorkStore work, CancellationToken cancellationToken)
    {
        // The body is read as the console reads its form (DispensingInput, one policy for both).
        var input = DispensingInput.Read(request.Quantity, request.DateDispensed, request.Dispenser, request.Reason, request.Partial);
        if (input.Request is not { } asked)
        {
            return TypedResults.Problem(statusCode: 400, title: "Dispensing refused", detail: input.Reason,
                extensions: new Dictionary<string, object?> { ["code"] = input.Code });
        }
        var result = await work.DispenseAsync(receiptId, asked, context.UserName(), cancellationToken);
        return result switch
        {
            { Appended: true } => TypedResults.Created($"/api/prescriptions/{receiptId:D}/dispensings", new Appended(result.Id!.Value, result.RefillNumber)),
            { Code: PharmacyWorkStore.NotFound } => NotFound(receiptId),
            _ => TypedResults.Problem(statusCode: 422, title: "Dispensing refused", detail: result.Reason,
                extensions: new Dictionary<string, object?> { ["code"] = result.Code }),
        };
    }

    private static async Task<Results<Created<Appended>, NotFound<ProblemDetails>, ProblemHttpResult>> AppendAsync(
        Guid receiptId, AnnotationType type, Dictionary<string, string> fields, HttpContext context, PharmacyWorkStore work,
        CancellationToken cancellationToken)
    {
        // Text from users has a length limit, checked before anything is stored or audited.
        if (TextLimits.FieldsRefusal(fields) is { } tooLong)
        {
            return TypedResults.Problem(statusCode: 400, title: "Annotation refused", detail: tooLong);
        }
        var result = await work.AnnotateAsync(receiptId, type, fields, context.UserName(), cancellationToken);
        return result switch
        {
            { Appended: true } => TypedResults.Created($"/api/prescriptions/{receiptId:D}/annotations", new Appended(result.Id!.Value, null)),
            { Code: PharmacyWorkStore.NotFound } => NotFound(receiptId),
            _ => TypedResults.Problem(statusCode: 400, title: "Annotation refused", detail: result.Reason),
        };
    }

    private static NotFound<ProblemDetails> NotFound(Guid receiptId) =>
        TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = $"no archived record {receiptId:D}" });

}
