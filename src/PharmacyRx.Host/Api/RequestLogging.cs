using System.Globalization;
using Serilog;
using Serilog.Events;

namespace PharmacyRx.Host.Api;

/// <summary>
/// The service's log (Serilog, configured by the <c>Serilog</c> section, to the console and to any sink registered as a
/// service) and its one line per HTTP request: method, route template, status and elapsed milliseconds. Never the
/// query string or a route's values: searches carry patient and prescriber names there (no PHI in logs).
/// </summary>
public static class RequestLogging
{
    /// <summary>Serilog as the logging provider; the static <c>Log.Logger</c> is left alone (several hosts share a test process).</summary>
    public static void AddServiceLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(
            (services, logger) => logger
                .ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .WriteTo.Console(formatProvider: CultureInfo.InvariantCulture),
            preserveStaticLogger: true);
    }

    /// <summary>Logs each request once it completes, by its route template (its path when no route matched).</summary>
    public static void UseRequestLogging(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<Serilog.ILogger>();
        app.UseSerilogRequestLogging(options =>
        {
            options.Logger = logger;
            options.IncludeQueryInRequestPath = false;
            options.GetMessageTemplateProperties = (context, path, elapsed, status) =>
            [
                new LogEventProperty("RequestMethod", new ScalarValue(context.Request.Method)),
                new LogEventProperty("RequestPath", new ScalarValue(Route(context) ?? path)),
                new LogEventProperty("StatusCode", new ScalarValue(status)),
                new LogEventProperty("Elapsed", new ScalarValue(elapsed)),
            ];
        });
    }

    // Razor Pages' templates have no leading slash ("" for the sign-in page, "Queue"): one form for every route.
    private static string? Route(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } template }
            ? "/" + template.Trim('/')
            : null;
}
