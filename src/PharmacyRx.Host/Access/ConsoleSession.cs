namespace PharmacyRx.Host.Access;

/// <summary>
/// The console's session cookie, carrying the token <c>POST /api/sessions</c> hands out, so sign-in, expiry, one-time
/// passwords and sign-out are the session store's, once. HttpOnly, SameSite=Strict, Secure over HTTPS, read only on
/// console paths: the API never takes a cookie, so no other page can call it with the user's session.
/// </summary>
public static class ConsoleSession
{
    public const string CookieName = "prx_session";
    public const string SignInPath = "/";
    public const string PasswordPath = "/password";

    /// <summary>The header the queue's refresh script sends: a refresh is not the user's activity and keeps no idle session open.</summary>
    public const string RefreshHeader = "X-Console-Refresh";

    /// <summary>Everything but the API, the health probes, the metrics and the OpenAPI document is the console.</summary>
    public static bool IsConsoleRequest(HttpRequest request) =>
        !(request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/health") || request.Path.StartsWithSegments("/openapi")
            || request.Path.StartsWithSegments(Operations.OperationsServices.MetricsRoute));

    /// <summary>The session token of a console request, or null.</summary>
    public static string? Token(HttpRequest request) =>
        IsConsoleRequest(request) && request.Cookies.TryGetValue(CookieName, out var token) && token.Length > 0 ? token : null;

    public static bool IsRefresh(HttpRequest request) => request.Headers.ContainsKey(RefreshHeader);

    public static void Open(HttpContext context, string token) => context.Response.Cookies.Append(CookieName, token, Options(context));

    public static void Close(HttpContext context) => context.Response.Cookies.Delete(CookieName, Options(context));

    /// <summary>The console's cookies, one policy: script cannot read them, same site only, Secure over HTTPS (a known proxy's too).</summary>
    internal static CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };
}
