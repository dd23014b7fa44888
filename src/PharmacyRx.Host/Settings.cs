using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace PharmacyRx.Host;

/// <summary>
/// Settings are read one way: bound from their section, checked by their annotations when the host starts (a bad
/// setting stops start-up naming it), and injected as the value itself.
/// </summary>
public static class Settings
{
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, IConfiguration configuration, string section) where T : class
    {
        // Resolved when first used, so a configuration source added after registration (tests, hosting) still applies.
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<T>>().Value);
        return services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
    }
}
