using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Access;
using PharmacyRx.Host.Api;
using PharmacyRx.Host.Audit;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Clock;
using PharmacyRx.Host.Compliance;
using PharmacyRx.Host.Export;
using PharmacyRx.Host.Health;
using PharmacyRx.Host.Messaging;
using PharmacyRx.Host.Operations;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Host.Verification;
using PharmacyRx.Host.WebConsole;

namespace PharmacyRx.Host;

/// <summary>
/// Builds the running service: HTTP (by ASP.NET Core's own conventions: <c>--urls</c>, <c>ASPNETCORE_URLS</c>,
/// default http://127.0.0.1:5080), the bus (MassTransit, in-memory by default) and the inbox watcher.
/// </summary>
public static class ServiceHost
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public static WebApplication Build(
        string[] args, DataFolder data, PharmacySigningKey signingKey, Func<string, string?> environment, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // The settings' PHARMACYRX_-prefixed names, as every other verb reads them (CommandContext): over appsettings.json
        // and the unprefixed names, under the last command-line source so that an argument still wins. serve's own checks
        // read them, so its host must too (StorageProviderTests).
        var sources = builder.Configuration.Sources;
        var commandLine = sources.ToList().FindLastIndex(source => source is CommandLineConfigurationSource);
        sources.Insert(commandLine < 0 ? sources.Count : commandLine, new EnvironmentVariablesConfigurationSource { Prefix = "PHARMACYRX_" });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        builder.AddServiceLogging();

        builder.AddPharmacyRxService(data, signingKey, environment);
        configure?.Invoke(builder);
        builder.Services.AddBus(builder.Configuration, environment);

        var app = builder.Build();
        app.UseRequestLogging();
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseConsoleStatusPages();
        app.UseStatusCodePages();
        app.UsePharmacyConsole();
        app.UseAuthentication();
        app.UseConsoleLock();
        app.UseAuthorization();
        app.MapReadinessChecks();
        app.MapOperationsMetrics();
        // The API's description is for signed-in users unless the pharmacy chooses otherwise (OpenApi:Anonymous=true).
        var openApi = app.MapOpenApi("/openapi/{documentName}.json");
        if (!app.Configuration.GetValue<bool>("OpenApi:Anonymous"))
        {
            openApi.RequireAuthorization();
        }
        app.MapInboundApi();
        app.MapSessionApi();
        app.MapPrescriptionApi();
        app.MapAccessApi();
        app.MapAuditApi();
        app.MapExportApi();
        app.MapPharmacyConsole();
        return app;
    }
}
