using System.Security.Claims;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Access;

namespace PharmacyRx.Host.WebConsole;

/// <summary>What the signed-in user may do, read from the claims the authentication handler set for this request.</summary>
public static class ConsoleUser
{
    /// <summary>Whether the user holds the permission in a full session: a page shows a form only when this is true.</summary>
    public static bool May(this ClaimsPrincipal user, Permission permission) =>
        user.HasClaim(TokenAuthenticationHandler.SessionClaim, TokenAuthenticationHandler.FullSession)
        && user.HasClaim(TokenAuthenticationHandler.PermissionClaim, permission.ToString());

    public static bool IsSignedIn(this ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true;
}
