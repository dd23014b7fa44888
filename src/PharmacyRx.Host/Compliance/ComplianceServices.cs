namespace PharmacyRx.Host.Compliance;

/// <summary>Registers the compliance self-report for <c>serve</c> and the command line.</summary>
public static class ComplianceServices
{
    /// <summary>
    /// The reporter, over the services of <see cref="PharmacyRxServices"/>; <paramref name="environment"/> is where the key
    /// password comes from (to prove configuration does not hold it).
    /// </summary>
    public static IServiceCollection AddCompliance(this IServiceCollection services, IConfiguration configuration, Func<string, string?> environment)
    {
        services.AddSettings<ComplianceOptions>(configuration, "Compliance");
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<ComplianceReporter>(provider, configuration, environment));
        return services;
    }

    /// <summary>The report rebuilt every <see cref="ComplianceOptions.Interval"/>, so health and the console show it current.</summary>
    public static IServiceCollection AddComplianceWork(this IServiceCollection services)
    {
        services.AddSingleton<ComplianceMonitor>();
        services.AddHostedService(provider => provider.GetRequiredService<ComplianceMonitor>());
        return services;
    }
}
