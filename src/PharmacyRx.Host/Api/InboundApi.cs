using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Access;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Archive;

namespace PharmacyRx.Host.Api;

/// <summary>
/// <c>POST /api/inbound</c>: raw SCRIPT XML in from a sender found by <see cref="InboundDoor"/>, the archived outcome
/// out; a sender key works here only, and only a sender key works here. Asked for XML (<c>application/xml</c>,
/// <c>text/xml</c>), it answers the SCRIPT Status or Error (<see cref="ScriptReply"/>), else JSON.
/// </summary>
public static class InboundApi
{
    /// <summary>The response: enough for the sender to correlate and to learn what happened.</summary>
    public sealed record InboundResponse(Guid ReceiptId, string MessageId, string Status, string ReasonCode, string Reason, bool Duplicate);

    public static IEndpointRouteBuilder MapInboundApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(InboundDoor.Route, ReceiveAsync)
            .WithName("ReceiveInbound")
            .Accepts<string>("application/xml", "text/xml")
            .WithDescription("Archives a raw NCPDP SCRIPT message from a sender (X-Api-Key). With Accept: application/xml the answer is "
                + "the SCRIPT Status (010) or Error (900, 601, 602) for the message, RelatesToMessageID its MessageID; JSON otherwise. 201 with the new record's outcome, "
                + "200 when the same bytes were already archived, 401 without a sender credential, 413 (archived as Rejected/TooLarge) over the size cap, 429 over the rate, 503 with Retry-After when a storage fault (disk full, I/O error, a lock) kept it from being archived.");
        return routes;
    }

    private static async Task<Results<Created<InboundResponse>, Ok<InboundResponse>, ProblemHttpResult, ScriptReplyResult>> ReceiveAsync(
        HttpContext context, ReceiptPipeline pipeline, ScriptReaderOptions options, InboundOptions inbound, AnonymousRefusals anonymous, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var script = WantsScript(context.Request);
        if (InboundDoor.SenderOf(context) is not { } sender)
        {
            // 1311.215(a)(1): an attempt to submit without a sender's credential, audited once per window and address group
            // with the count; the key itself is never recorded. Past the window's cap on such refusals: 429.
            if (!anonymous.Refuse(context, $"POST {InboundDoor.Route}"))
            {
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(anonymous.UntilNextWindow.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem("Too many requests without a sender credential; retry after the time in Retry-After.",
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests");
            }
            return TypedResults.Problem("POST /api/inbound needs a sender's API key in X-Api-Key (pharmacyrx senders add).",
                statusCode: StatusCodes.Status401Unauthorized, title: "Sender credential required");
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = Math.Max(inbound.MaxStreamedBytes, options.MaxAcceptedBytes);
        }

        var source = ReceiptSource.Sender(sender.SenderName, sender.FromId);
        ArchiveResult result;
        try
        {
            result = await pipeline.ReceiveAsync(context.Request.Body, context.Request.ContentLength, source, readTimeout: null, cancellationToken);
        }
        catch (StorageFaultException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Nothing was archived and the sender still holds the message: it should send it again.
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(ex.Fault.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (script)
            {
                return new ScriptReplyResult(ScriptReply.ForStorageFault(ex.Fault.Name, time.GetUtcNow()), StatusCodes.Status503ServiceUnavailable);
            }
            return TypedResults.Problem($"The message was not archived ({ex.Fault.Name}); send it again after the time in Retry-After.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Try again");
        }
        if (script)
        {
            var status = ReceiptPipeline.IsRefusedForSize(result) ? StatusCodes.Status413PayloadTooLarge
                : result.IsDuplicate ? StatusCodes.Status200OK : StatusCodes.Status201Created;
            return new ScriptReplyResult(ScriptReply.For(result, time.GetUtcNow()), status);
        }
        if (ReceiptPipeline.IsRefusedForSize(result))
        {
            // Archived (its length, hash and first 64 KiB, never the whole), then refused.
            return TypedResults.Problem(
                $"The message is over {options.MaxAcceptedBytes} bytes and was not accepted; its first bytes are archived as {result.ReceiptId:D}.",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Message too large",
                extensions: new Dictionary<string, object?> { ["receiptId"] = result.ReceiptId, ["reasonCode"] = result.ReasonCode });
        }
        var response = new InboundResponse(
            result.ReceiptId, result.MessageId, result.Status.ToString(), result.ReasonCode, result.Reason, result.IsDuplicate);
        return result.IsDuplicate
            ? TypedResults.Ok(response)
            : TypedResults.Created($"/api/prescriptions/{result.ReceiptId:D}", response);
    }

    // A SCRIPT sender asks for XML; JSON stays the default for every other client (no Accept, */*, application/json).
    private static bool WantsScript(HttpRequest request) =>
        request.GetTypedHeaders().Accept is { Count: > 0 } accept
        && accept.Where(a => a.Quality is not 0).OrderByDescending(a => a.Quality ?? 1).FirstOrDefault() is { } preferred
        && (preferred.MediaType.Equals("application/xml", StringComparison.OrdinalIgnoreCase)
            || preferred.MediaType.Equals("text/xml", StringComparison.OrdinalIgnoreCase));

    /// <summary>A SCRIPT Status or Error as the response body, with the HTTP status of the outcome.</summary>
    public sealed class ScriptReplyResult(byte[] xml, int statusCode) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
    {
        public int? StatusCode => statusCode;

        public string ContentType => "application/xml; charset=utf-8";

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = statusCode;
            httpContext.Response.ContentType = ContentType;
            httpContext.Response.ContentLength = xml.Length;
            await httpContext.Response.Body.WriteAsync(xml, httpContext.RequestAborted);
        }
    }
}
