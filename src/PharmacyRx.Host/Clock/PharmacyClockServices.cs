using Microsoft.Extensions.Options;
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
        return services;
    }
}
