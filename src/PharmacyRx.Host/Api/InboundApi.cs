using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Receiving;

namespace PharmacyRx.Host.Api;

/// <summary><c>POST /api/inbound</c>: a raw SCRIPT XML body in, the archived outcome out.</summary>
public static class InboundApi
{
    /// <summary>The response: enough for the sender to correlate and to learn what happened.</summary>
    public sealed record InboundResponse(Guid ReceiptId, string MessageId, string Status, string ReasonCode, string Reason, bool Duplicate);

    public static IEndpointRouteBuilder MapInboundApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/inbound", ReceiveAsync)
            .WithName("ReceiveInbound")
            .Accepts<string>("application/xml", "text/xml")
            .WithDescription("Archives a raw NCPDP SCRIPT message. 201 with the new record's outcome, 200 when the MessageID was already archived.");
        return routes;
    }

    private static async Task<Results<Created<InboundResponse>, Ok<InboundResponse>, ProblemHttpResult>> ReceiveAsync(
        HttpContext context, ReceiptPipeline pipeline, ScriptReaderOptions options, CancellationToken cancellationToken)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxAcceptedBytes;
        }
        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, cancellationToken);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TypedResults.Problem(
                $"The message is over {options.MaxAcceptedBytes} bytes and was not accepted.",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Message too large");
        }

        var result = await pipeline.ReceiveAsync(body, ReceiptSource.Http, cancellationToken);
        var response = new InboundResponse(
            result.ReceiptId, result.MessageId, result.Status.ToString(), result.ReasonCode, result.Reason, result.IsDuplicate);
        return result.IsDuplicate
            ? TypedResults.Ok(response)
            : TypedResults.Created($"/api/prescriptions/{result.ReceiptId:D}", response);
    }
}
