using Microsoft.Extensions.DependencyInjection.Extensions;
using PharmacyRx.Host.Clock;

namespace PharmacyRx.Host.Compliance;

/// <summary>Registers the compliance self-report for <c>serve</c> and the command line.</summary>
public static class ComplianceServices
{
    /// <summary>
    /// The reporter, over the services of <see cref="ReceivingServices"/>; <paramref name="environment"/> is where the key
    /// password comes from (to prove configuration does not hold it).
    /// </summary>
    public static IServiceCollection AddCompliance(this IServiceCollection services, IConfiguration configuration, Func<string, string?> environment)
    {
        services.TryAddSingleton(_ => configuration.GetSection("Clock").Get<ClockOptions>() ?? new ClockOptions());
        services.TryAddSingleton<ClockCheck>();
        services.AddSingleton(_ => configuration.GetSection("Compliance").Get<ComplianceOptions>() ?? new ComplianceOptions());
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<ComplianceReporter>(provider, configuration, environment));
        return services;
    }
}
