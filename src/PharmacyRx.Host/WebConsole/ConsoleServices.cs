using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.FileProviders;
using PharmacyRx.Host.Access;

namespace PharmacyRx.Host.WebConsole;

/// <summary>
/// The browser console at <c>/</c> (issue 13): Razor Pages rendered on the server, on the same host, authentication
/// handler and permission policies as the API. Its style sheet and script are embedded and served from <c>/assets/</c>.
/// </summary>
public static class ConsoleServices
{
    public const string AntiforgeryCookieName = "prx_antiforgery";

    public static IServiceCollection AddPharmacyConsole(this IServiceCollection services)
    {
        services.AddRazorPages(options =>
            {
                options.RootDirectory = "/WebConsole/Pages";
                // A page model says who may open it ([Authorize(Policy = …)] or [AllowAnonymous]); one that says nothing
                // needs a full session (the default policy), never none.
                options.Conventions.AddFolderApplicationModelConvention("/", model =>
                {
                    if (!model.HandlerType.IsDefined(typeof(AuthorizeAttribute), true) && !model.HandlerType.IsDefined(typeof(AllowAnonymousAttribute), true))
                    {
                        model.EndpointMetadata.Add(new AuthorizeAttribute());
                    }
                });
            })
            .AddMvcOptions(options => options.Filters.Add<PermissionPageFilter>());
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = AntiforgeryCookieName;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // SecurityHeaders sends X-Frame-Options: DENY on every response already.
            options.SuppressXFrameOptionsHeader = true;
        });
        // Antiforgery tokens live as long as the process: no key file is written beside the data (a form open across a
        // restart is refused with 400 and works again once reloaded).
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddSingleton<OwnPasswordChange>();
        services.AddSingleton<Storage.Retrieval.WorkQueueReader>();
        return services;
    }

    /// <summary>The console's middleware: its assets, and its error pages (403, 404, 400) for console paths only.</summary>
    public static WebApplication UsePharmacyConsole(this WebApplication app)
    {
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new EmbeddedFileProvider(typeof(ConsoleServices).Assembly, "PharmacyRx.Host.WebConsole.wwwroot"),
            RequestPath = "/assets",
        });
        app.UseWhen(context => ConsoleSession.IsConsoleRequest(context.Request), console => console.UseStatusCodePagesWithReExecute("/status/{0}"));
        return app;
    }

    public static WebApplication MapPharmacyConsole(this WebApplication app)
    {
        app.MapRazorPages();
        return app;
    }
}
