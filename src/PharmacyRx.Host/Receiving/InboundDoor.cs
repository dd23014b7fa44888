using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Receiving;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// The door of <c>POST /api/inbound</c> (DESIGN.md, "Trust boundaries"): who the sender is (API key in <c>X-Api-Key</c>
/// or a pinned client certificate; handed on in <see cref="HttpContext.Items"/>) and how fast it, or an unauthenticated
/// address, may post (rate limited per sender, else address; 429 with Retry-After, audited once a window).
/// </summary>
public static class InboundDoor
{
    /// <summary>The route this door guards.</summary>
    public const string Route = "/api/inbound";

    private static readonly object SenderItem = new();

    /// <summary>Registers the door: sender authentication, the rate limiter, and client certificates checked by pin.</summary>
    public static WebApplicationBuilder AddInboundDoor(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddSettings<InboundOptions>(configuration, "Inbound");
        builder.Services.AddSingleton(provider => new DoorAudit(
            provider.GetRequiredService<AuditLog>(), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<InboundOptions>()));
        builder.Services.AddRateLimiter(options =>
        {
            // The sender is found before the limiter runs, so it is limited as itself, not as its address.
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (!IsInbound(context.Request))
                {
                    return RateLimitPartition.GetNoLimiter("");
                }
                var inbound = context.RequestServices.GetRequiredService<InboundOptions>();
                return SenderOf(context) is not null
                    ? RateLimitPartition.GetTokenBucketLimiter(PartitionOf(context), _ => Bucket(inbound.PermitsPerSecond, inbound.Burst))
                    : RateLimitPartition.GetTokenBucketLimiter(PartitionOf(context), _ => Bucket(inbound.UnauthenticatedPermitsPerSecond, inbound.UnauthenticatedBurst));
            });
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (SenderOf(context) is { } sender)
                {
                    await context.RequestServices.GetRequiredService<DoorAudit>().RateLimitedAsync(PartitionOf(context), sender.SenderName, cancellationToken);
                }
                else
                {
                    // Without a credential: in the window's summary for the address group, never an event per request.
                    context.RequestServices.GetRequiredService<Access.AnonymousRefusals>().RateLimited(context, $"POST {Route}");
                }
                await TypedResults.Problem("Too many requests; retry after the time in Retry-After.",
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests").ExecuteAsync(context);
            };
        });
        // A client certificate is only ever a claim to be a sender pinned to its thumbprint, so any certificate may be
        // presented; whether Kestrel asks for one is the Kestrel section's ClientCertificateMode (README).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ClientCertificateValidation = (_, _, _) => true));
        // Every route but this door (which sets its own cap per request) reads at most MaxOtherBodyBytes: an anonymous
        // login body is refused before it is parsed, not held whole.
        var otherBodies = (configuration.GetSection("Inbound").Get<InboundOptions>() ?? new InboundOptions()).MaxOtherBodyBytes;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = otherBodies);
        builder.Services.AddSingleton<IStartupFilter, DoorStartupFilter>();
        return builder;
    }

    /// <summary>The authenticated sender of this request, or null.</summary>
    public static Sender? SenderOf(HttpContext context) => context.Items.TryGetValue(SenderItem, out var sender) ? sender as Sender : null;

    /// <summary>
    /// The rate limiter's partition: the sender, else the caller's address group (IPv4 /24, IPv6 /64), so one host cannot
    /// pass for many by rotating its addresses.
    /// </summary>
    internal static string PartitionOf(HttpContext context) =>
        SenderOf(context) is { } sender ? $"sender:{sender.SenderName}" : $"group:{Access.AnonymousRefusals.Group(context.Connection.RemoteIpAddress)}";

    private static bool IsInbound(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.Equals(Route, StringComparison.OrdinalIgnoreCase);

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = Math.Max(1, burst),
        TokensPerPeriod = Math.Max(1, perSecond),
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>Finds the sender (API key first, else a pinned client certificate) before the rate limiter runs.</summary>
    private static async Task AuthenticateAsync(HttpContext context)
    {
        var senders = context.RequestServices.GetRequiredService<SenderStore>();
        Sender? sender = null;
        if (context.Request.Headers["X-Api-Key"].ToString() is { Length: > 0 } key)
        {
            sender = await senders.AuthenticateAsync(key, context.RequestAborted);
        }
        else if (context.Connection.ClientCertificate is { } certificate)
        {
            sender = await senders.FindByCertificateAsync(Convert.ToHexString(SHA256.HashData(certificate.RawData)), context.RequestAborted);
        }
        if (sender is not null)
        {
            context.Items[SenderItem] = sender;
        }
    }

    private sealed class DoorStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (IsInbound(context.Request))
                {
                    await AuthenticateAsync(context);
                }
                await nextMiddleware(context);
            });
            app.UseRateLimiter();
            next(app);
        };
    }
}
