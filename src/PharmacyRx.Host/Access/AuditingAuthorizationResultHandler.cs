using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Access;

/// <summary>
/// Records every refusal as an attempted unauthorized access, with the actor and the function (1311.215(a)(1)), then
/// answers as ASP.NET Core does: 401 without valid credentials, 403 without the permission — and, for a session
/// opened with a one-time password, a 403 saying the password must be changed first.
/// </summary>
internal sealed class AuditingAuthorizationResultHandler(AuditLog audit, TimeProvider time, AnonymousRefusals anonymous) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Succeeded)
        {
            var actor = context.User.Identity is { IsAuthenticated: true, Name: { } name } ? name : "anonymous";
            var endpoint = (context.GetEndpoint() is RouteEndpoint route ? $"{context.Request.Method} /{route.RoutePattern.RawText?.TrimStart('/')}" : context.Request.Path.ToString())
                + (context.Request.Query["handler"].ToString() is { Length: > 0 } handler ? $"?handler={TextLimits.ForAudit(handler)}" : "");
            var required = string.Join(',', policy.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.ClaimsAuthorizationRequirement>()
                .Where(r => r.ClaimType == TokenAuthenticationHandler.PermissionClaim)
                .SelectMany(r => r.AllowedValues ?? []));
            if (authorizeResult.Challenged && actor == "anonymous")
            {
                // Without credentials: counted and audited once per window and address group, never per request; past the
                // window's cap, 429 (AnonymousRefusals).
                if (!anonymous.Refuse(context, endpoint))
                {
                    await TooManyAsync(context, anonymous);
                    return;
                }
                await _default.HandleAsync(next, context, policy, authorizeResult);
                return;
            }
            await audit.AppendAsync(
                [new AuditEvent(time.GetUtcNow(), AuditEventTypes.UnauthorizedAccessAttempt, actor, AuditOutcome.Failure, endpoint,
                    $"function={endpoint}; required={(required.Length > 0 ? required : "authentication")}; answer={(authorizeResult.Challenged ? 401 : 403)}")],
                context.RequestAborted);
            if (authorizeResult.Forbidden && !ConsoleSession.IsConsoleRequest(context.Request) && context.User.HasClaim(TokenAuthenticationHandler.SessionClaim, TokenAuthenticationHandler.PasswordChangeOnly))
            {
                await TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "password change required",
                    detail: "this session was opened with a one-time password: change it with PUT /api/me/password, then every route the user's permissions allow is open")
                    .ExecuteAsync(context);
                return;
            }
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    /// <summary>The answer past the window's cap on anonymous refusals: 429 with the time to the next window.</summary>
    internal static async Task TooManyAsync(HttpContext context, AnonymousRefusals anonymous)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(anonymous.UntilNextWindow.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await TypedResults.Problem("Too many requests without credentials; retry after the time in Retry-After.",
            statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests").ExecuteAsync(context);
    }
}
