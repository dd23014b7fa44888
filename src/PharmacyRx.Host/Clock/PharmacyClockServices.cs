using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using PharmacyRx.Core.Clock;

namespace PharmacyRx.Host.Clock;

/// <summary>The pharmacy's time zone, registered once: every page, endpoint, verb, export, report and schedule asks it for dates.</summary>
public static class PharmacyClockServices
{
    public static IServiceCollection AddPharmacyClock(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PharmacyOptions>()
            .Bind(configuration.GetSection("Pharmacy"))
            .Validate(options => options.IsValid(), "Pharmacy:TimeZone is not a time zone: give an IANA name such as America/Chicago")
            .ValidateOnStart();
        // Resolved when first used, so the test clock or a later configuration source still applies.
        services.AddSingleton(provider => new PharmacyClock(
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<IOptions<PharmacyOptions>>().Value.Zone()));
        services.AddSettings<ClockOptions>(configuration, "Clock");
        services.AddSingleton<ClockCheck>();
        return services;
    }

    /// <summary>The host clock checked against a time server at start-up and every interval (1311.205(b)(4)(v)).</summary>
    public static IServiceCollection AddClockWork(this IServiceCollection services) => services.AddHostedService(provider => provider.GetRequiredService<ClockCheck>());

    /// <summary>Says in the API's description that a date without a zone is a day in the pharmacy's zone, and which zone that is.</summary>
    public static OpenApiOptions DescribePharmacyDates(this OpenApiOptions options) => options.AddDocumentTransformer((document, context, _) =>
    {
        var zone = context.ApplicationServices.GetRequiredService<PharmacyClock>().Zone.Id;
        document.Info ??= new OpenApiInfo();
        document.Info.Description =
            $"Dates without a time zone (dateDispensed, dispensedFrom/To, receivedFrom/To, from/to, a report's day) are calendar days in the " +
            $"pharmacy's time zone, {zone} (setting Pharmacy:TimeZone). Timestamps are UTC (ISO 8601, ending in Z).";
        return Task.CompletedTask;
    });
}
