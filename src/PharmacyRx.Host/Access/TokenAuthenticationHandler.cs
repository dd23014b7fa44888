using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Access;

/// <summary>
/// Authenticates by session token (Bearer; on console paths the cookie, <see cref="ConsoleSession"/>) or API key
/// (<c>X-Api-Key</c> or Bearer); permissions are read per request, so a revoke takes effect at once. A session opened
/// with a one-time password carries no permissions; only the password change and logout accept it.
/// </summary>
internal sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, SessionStore sessions, AccessStore access,
    ConsoleOptions console)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "PharmacyRx";
    public const string PermissionClaim = "permission";

    /// <summary>The claim saying what a session may do: <see cref="FullSession"/> or <see cref="PasswordChangeOnly"/>.</summary>
    public const string SessionClaim = "session";
    public const string FullSession = "full";
    public const string PasswordChangeOnly = "password-change-only";

    /// <summary>A console session locked at a shared counter: it may open the lock screen only (<see cref="ConsoleLock"/>).</summary>
    public const string LockedSession = "locked";

    /// <summary>The bearer token of a request, or null.</summary>
    public static string? BearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString() is var header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = BearerToken(Request) ?? (Request.Headers["X-Api-Key"].ToString() is { Length: > 0 } key ? key : null);
        // Only the console's cookie session locks when idle: it is the one left open on a shared counter's screen.
        var lockAfter = secret is null ? console.LockAfter : (TimeSpan?)null;
        secret ??= ConsoleSession.Token(Request);
        if (secret is null)
        {
            return AuthenticateResult.NoResult();
        }
        var activity = !ConsoleSession.IsRefresh(Request) && !ConsoleLock.IsLockScreen(Request);
        if (await sessions.AuthenticateSessionAsync(secret, Context.RequestAborted, activity, lockAfter) is not { } user)
        {
            return AuthenticateResult.Fail("the session or API key is unknown, ended or expired");
        }
        IReadOnlySet<Core.Access.Permission> permissions = user.PasswordChangeOnly || user.Locked
            ? new HashSet<Core.Access.Permission>()
            : await access.PermissionsAsync(user.UserName, Context.RequestAborted);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, user.UserName),
                new Claim(SessionClaim, user.Locked ? LockedSession : user.PasswordChangeOnly ? PasswordChangeOnly : FullSession),
                .. permissions.Select(p => new Claim(PermissionClaim, p.ToString())),
            ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>The console sends a browser without a session to sign in; the API answers 401.</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (ConsoleSession.IsConsoleRequest(Request))
        {
            Response.Redirect(ConsoleSession.SignInPath);
            return Task.CompletedTask;
        }
        return base.HandleChallengeAsync(properties);
    }

    /// <summary>The console sends a session opened with a one-time password to change it; anything else is a 403.</summary>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (ConsoleSession.IsConsoleRequest(Request) && Context.User.HasClaim(SessionClaim, PasswordChangeOnly))
        {
            Response.Redirect(ConsoleSession.PasswordPath);
            return Task.CompletedTask;
        }
        return base.HandleForbiddenAsync(properties);
    }
}
