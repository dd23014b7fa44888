using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Access;

/// <summary>
/// Authenticates a request by its session token (<c>Authorization: Bearer …</c>) or API key (<c>X-Api-Key</c>, or
/// Bearer): the user and their current permissions become claims. Permissions are read per request, so a revoke
/// takes effect at once.
/// </summary>
internal sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, SessionStore sessions, AccessStore access)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "PharmacyRx";
    public const string PermissionClaim = "permission";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        var secret = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim()
            : Request.Headers["X-Api-Key"].ToString() is { Length: > 0 } key ? key
            : null;
        if (secret is null)
        {
            return AuthenticateResult.NoResult();
        }
        if (await sessions.AuthenticateAsync(secret, Context.RequestAborted) is not { } userName)
        {
            return AuthenticateResult.Fail("the session or API key is unknown, ended or expired");
        }
        var permissions = await access.PermissionsAsync(userName, Context.RequestAborted);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, userName), .. permissions.Select(p => new Claim(PermissionClaim, p.ToString()))], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
