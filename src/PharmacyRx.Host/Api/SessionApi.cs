using Microsoft.AspNetCore.Http.HttpResults;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Api;

/// <summary>Login (<c>POST /api/sessions</c>), logout, and changing one's own password.</summary>
public static class SessionApi
{
    public sealed record LoginRequest(string UserName, string Password);

    public sealed record LoginResponse(string Token, int IdleTimeoutSeconds, int AbsoluteTimeoutSeconds);

    public sealed record PasswordChange(string CurrentPassword, string NewPassword);

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/api/sessions").WithTags("Sessions");
        sessions.MapPost("/", LoginAsync).AllowAnonymous().WithName("Login");
        sessions.MapDelete("/current", LogoutAsync).RequireAuthorization().WithName("Logout");
        app.MapPut("/api/me/password", ChangePasswordAsync).RequireAuthorization().WithTags("Sessions").WithName("ChangeOwnPassword");
        return app;
    }

    private static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, SessionStore sessions, HttpContext context, TimeProvider time, CancellationToken cancellationToken)
    {
        var result = await sessions.LoginAsync(request.UserName ?? "", request.Password ?? "", cancellationToken);
        switch (result.Outcome)
        {
            case LoginOutcome.Succeeded:
                return TypedResults.Ok(new LoginResponse(
                    result.Token!, (int)SessionStore.IdleTimeout.TotalSeconds, (int)SessionStore.AbsoluteTimeout.TotalSeconds));
            case LoginOutcome.Throttled:
                var seconds = Math.Max(1, (int)Math.Ceiling((result.RetryAfter!.Value - time.GetUtcNow()).TotalSeconds));
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed logins",
                    detail: $"try again after {result.RetryAfter:yyyy-MM-ddTHH:mm:ssZ}");
            default:
                // One answer for an unknown user, a wrong password and a disabled account.
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Login failed",
                    detail: "the user name or password is wrong, or the account is disabled");
        }
    }

    private static async Task<NoContent> LogoutAsync(HttpContext context, SessionStore sessions, CancellationToken cancellationToken)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            await sessions.LogoutAsync(header[7..].Trim(), cancellationToken);
        }
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(
        PasswordChange request, HttpContext context, AccessStore access, Storage.UserPasswords passwords, CancellationToken cancellationToken)
    {
        var userName = context.UserName();
        if (await access.CredentialsAsync(userName, cancellationToken) is not { } credentials
            || !PasswordHasher.Verify(request.CurrentPassword ?? "", credentials.PasswordHash))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Password not changed", detail: "the current password is wrong");
        }
        if (PasswordPolicy.Refusal(request.NewPassword ?? "") is { } refusal)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Password not changed", detail: refusal);
        }
        await passwords.SetAsync(userName, PasswordHasher.Hash(request.NewPassword!), userName, cancellationToken);
        return TypedResults.NoContent();
    }
}
