using Microsoft.AspNetCore.Http.HttpResults;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Api;

/// <summary>
/// Login (<c>POST /api/sessions</c>), logout, and changing one's own password. A password someone else set is one-time:
/// the session it opens may only change it (<see cref="LoginResponse.PasswordChangeRequired"/>).
/// </summary>
public static class SessionApi
{
    public sealed record LoginRequest(string UserName, string Password);

    public sealed record LoginResponse(string Token, int IdleTimeoutSeconds, int AbsoluteTimeoutSeconds, bool PasswordChangeRequired);

    public sealed record PasswordChange(string CurrentPassword, string NewPassword);

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/api/sessions").WithTags("Sessions");
        sessions.MapPost("/", LoginAsync).AllowAnonymous().WithName("Login");
        sessions.MapDelete("/current", LogoutAsync).RequireAuthorization(AccessServices.AnySession).WithName("Logout");
        app.MapPut("/api/me/password", ChangePasswordAsync).RequireAuthorization(AccessServices.AnySession).WithTags("Sessions").WithName("ChangeOwnPassword");
        return app;
    }

    private static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, SessionStore sessions, HttpContext context, TimeProvider time, CancellationToken cancellationToken)
    {
        var result = await sessions.LoginAsync(request.UserName ?? "", request.Password ?? "", cancellationToken, ClientAddress.Of(context.Connection.RemoteIpAddress));
        switch (result.Outcome)
        {
            case LoginOutcome.Succeeded:
                return TypedResults.Ok(new LoginResponse(
                    result.Token!, (int)SessionStore.IdleTimeout.TotalSeconds, (int)SessionStore.AbsoluteTimeout.TotalSeconds, result.PasswordChangeRequired));
            case LoginOutcome.Throttled:
                return Throttled(result, context, time);
            case LoginOutcome.TooLong:
                return TooLong();
            default:
                // One answer for an unknown user, a wrong password and a disabled account.
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Login failed",
                    detail: "the user name or password is wrong, or the account is disabled");
        }
    }

    private static async Task<NoContent> LogoutAsync(HttpContext context, SessionStore sessions, CancellationToken cancellationToken)
    {
        if (TokenAuthenticationHandler.BearerToken(context.Request) is { } token)
        {
            await sessions.LogoutAsync(token, cancellationToken);
        }
        return TypedResults.NoContent();
    }

    /// <summary>Changes the signed-in user's password (<see cref="OwnPasswordChange"/>).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(
        PasswordChange request, HttpContext context, OwnPasswordChange change, TimeProvider time, CancellationToken cancellationToken)
    {
        var outcome = await change.ChangeAsync(context.UserName(), request.CurrentPassword ?? "", request.NewPassword ?? "",
            TokenAuthenticationHandler.BearerToken(context.Request) ?? "", cancellationToken, ClientAddress.Of(context.Connection.RemoteIpAddress));
        return outcome switch
        {
            { Changed: true } => TypedResults.NoContent(),
            { Check: LoginOutcome.Throttled } => Throttled(new SessionStore.LoginResult(LoginOutcome.Throttled, null, outcome.RetryAfter), context, time),
            { Check: LoginOutcome.TooLong } => TooLong(),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Password not changed", detail: outcome.Refusal),
        };
    }

    private static ProblemHttpResult Throttled(SessionStore.LoginResult result, HttpContext context, TimeProvider time)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling((result.RetryAfter!.Value - time.GetUtcNow()).TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed logins",
            detail: $"try again after {result.RetryAfter:yyyy-MM-ddTHH:mm:ssZ}");
    }

    private static ProblemHttpResult TooLong() =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Login refused",
            detail: $"a user name is at most {TextLimits.UserName} characters and a password at most {TextLimits.Password}");
}
