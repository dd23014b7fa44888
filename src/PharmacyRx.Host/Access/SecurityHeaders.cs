namespace PharmacyRx.Host.Access;

/// <summary>
/// Headers on every response: no MIME sniffing, no framing, no referrer, a Content-Security-Policy
/// that allows nothing (the API serves no scripts, styles or frames; a page that needs more sets its own before the
/// response starts), and <c>Cache-Control: no-store</c>, since what the service shows is health data or about it.
/// </summary>
public static class SecurityHeaders
{
    public const string ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>
    /// The console's pages: their own style sheet and script files and nothing else; no inline script or style
    /// (no <c>unsafe-inline</c>), forms post only to the service itself, fetches only to it.
    /// </summary>
    public const string ConsoleContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>
    /// A file the console hands out (the as-received message, an audit report, an export): its content is a sender's or
    /// holds one's text, so opened inline anyway it loads nothing and runs nothing (sandboxed, no script at all).
    /// </summary>
    public const string DownloadContentSecurityPolicy = ApiContentSecurityPolicy + "; sandbox";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
            {
                headers.ContentSecurityPolicy =
                    headers.ContentDisposition.ToString().StartsWith("attachment", StringComparison.OrdinalIgnoreCase) ? DownloadContentSecurityPolicy
                    : ConsoleSession.IsConsoleRequest(context.Request) ? ConsoleContentSecurityPolicy
                    : ApiContentSecurityPolicy;
            }
            headers.CacheControl = "no-store";
            return Task.CompletedTask;
        });
        return next(context);
    });
}
