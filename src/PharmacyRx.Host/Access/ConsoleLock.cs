using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace PharmacyRx.Host.Access;

/// <summary>
/// The shared counter's lock: a console session idle past <see cref="ConsoleOptions.LockAfter"/>, or locked from its
/// screen, sees only the lock screen, which shows no patient information. Other sessions opened in the same browser
/// wait in the "desk" cookie (sealed with Data Protection), each returning to its page with its own password.
/// </summary>
public static class ConsoleLock
{
    public const string LockPath = "/lock";
    public const string DeskCookieName = "prx_desk";

    /// <summary>The handler the screen's script calls while the user is active, so the server sees the same idle time.</summary>
    public const string AliveHandler = "Alive";

    /// <summary>At most this many sessions wait at one browser besides the current one.</summary>
    public const int MostParked = 5;

    /// <summary>A session waiting at this browser: its token, its user, and the page it was on.</summary>
    public sealed record Parked(string Token, string UserName, string ReturnPath);

    public static bool IsLocked(this System.Security.Claims.ClaimsPrincipal user) =>
        user.HasClaim(TokenAuthenticationHandler.SessionClaim, TokenAuthenticationHandler.LockedSession);

    /// <summary>The lock screen itself (not its keep-alive): opening it is not the user's activity.</summary>
    public static bool IsLockScreen(HttpRequest request) =>
        request.Path.Equals(LockPath, StringComparison.OrdinalIgnoreCase) && !string.Equals(request.Query["handler"], AliveHandler, StringComparison.OrdinalIgnoreCase);

    /// <summary>Sends a locked session's request to the lock screen, remembering the page (a form post returns to its page, not its handler).</summary>
    public static Task Guard(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (ConsoleSession.IsConsoleRequest(request) && context.User.IsLocked()
            && !request.Path.StartsWithSegments(LockPath, StringComparison.OrdinalIgnoreCase)
            && !request.Path.StartsWithSegments("/status", StringComparison.OrdinalIgnoreCase)
            && !request.Path.StartsWithSegments("/signout", StringComparison.OrdinalIgnoreCase))
        {
            var back = HttpMethods.IsGet(request.Method) ? $"{request.Path}{request.QueryString}" : request.Path.ToString();
            context.Response.Redirect($"{LockPath}?return={Uri.EscapeDataString(back)}");
            return Task.CompletedTask;
        }
        return next(context);
    }

    /// <summary>A path on this console to return to, or "/": never another site, never the lock screen.</summary>
    public static string SafeReturn(string? path) =>
        path is { Length: > 1 } p && p[0] == '/' && p[1] is not ('/' or '\\') && !p.StartsWith(LockPath, StringComparison.OrdinalIgnoreCase) ? p : "/";

    public static IReadOnlyList<Parked> Desk(HttpContext context, IDataProtectionProvider protection)
    {
        if (!context.Request.Cookies.TryGetValue(DeskCookieName, out var sealedDesk) || sealedDesk.Length == 0)
        {
            return [];
        }
        try
        {
            return JsonSerializer.Deserialize<Parked[]>(Protector(protection).Unprotect(sealedDesk)) ?? [];
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException)
        {
            // A desk sealed under a retired key, or not by this service: nothing waits.
            return [];
        }
    }

    public static void SetDesk(HttpContext context, IDataProtectionProvider protection, IReadOnlyList<Parked> desk)
    {
        if (desk.Count == 0)
        {
            context.Response.Cookies.Delete(DeskCookieName, Options(context));
            return;
        }
        context.Response.Cookies.Append(DeskCookieName, Protector(protection).Protect(JsonSerializer.Serialize(desk.TakeLast(MostParked))), Options(context));
    }

    private static IDataProtector Protector(IDataProtectionProvider protection) => protection.CreateProtector("PharmacyRx.Console.Desk");

    private static CookieOptions Options(HttpContext context) => ConsoleSession.Options(context);
}
