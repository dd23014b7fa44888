using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.FileProviders;
using PharmacyRx.Host.Access;

namespace PharmacyRx.Host.WebConsole;

/// <summary>
/// The browser console at <c>/</c>: Razor Pages rendered on the server, on the same host, authentication
/// handler and permission policies as the API. Its style sheet and script are embedded and served from <c>/assets/</c>.
/// </summary>
public static class ConsoleServices
{
    public const string AntiforgeryCookieName = "prx_antiforgery";

    public static IServiceCollection AddPharmacyConsole(this IServiceCollection services, IConfiguration configuration)
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
            // The pages are found in this assembly whatever the entry assembly is (a test host, say).
            .AddApplicationPart(typeof(ConsoleServices).Assembly)
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
        services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(options =>
        {
            options.Cookie.Name = "prx_notice";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        // The key ring lives in the database (ConsoleKeyRing): every instance on it, and each after a restart, takes the forms
        // the others served.
        services.AddDataProtection().SetApplicationName("PharmacyRx");
        services.AddSingleton<ConsoleKeyRing>();
        services.AddOptions<KeyManagementOptions>().Configure<ConsoleKeyRing>((options, ring) => options.XmlRepository = ring);
        services.AddSingleton<Storage.Prescriptions.WorkQueueReader>();
        services.AddSettings<ConsoleOptions>(configuration, "Console");
        return services;
    }

    /// <summary>
    /// The console's error pages (403, 404, 400): a console request's bodyless error status is rendered again by the
    /// status page. Registered before the API's <c>UseStatusCodePages</c>, which then answers API requests with
    /// ProblemDetails and, disabled by <see cref="UsePharmacyConsole"/> for console requests, leaves those to this one.
    /// </summary>
    public static WebApplication UseConsoleStatusPages(this WebApplication app)
    {
        app.UseStatusCodePagesWithReExecute("/status/{0}");
        return app;
    }

    /// <summary>The console's assets, served from <c>/assets/</c>; after the API's status code pages.</summary>
    public static WebApplication UsePharmacyConsole(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (ConsoleSession.IsConsoleRequest(context.Request) && context.Features.Get<IStatusCodePagesFeature>() is { } problemPages)
            {
                problemPages.Enabled = false;
            }
            return next(context);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new EmbeddedFileProvider(typeof(ConsoleServices).Assembly, "PharmacyRx.Host.WebConsole.wwwroot"),
            RequestPath = "/assets",
        });
        return app;
    }

    /// <summary>
    /// A locked console session (<see cref="ConsoleLock"/>) reaches the lock screen and nothing else: after authentication,
    /// before any page or form handler runs.
    /// </summary>
    public static WebApplication UseConsoleLock(this WebApplication app)
    {
        app.Use(ConsoleLock.Guard);
        return app;
    }

    public static WebApplication MapPharmacyConsole(this WebApplication app)
    {
        app.MapRazorPages();
        return app;
    }
}
