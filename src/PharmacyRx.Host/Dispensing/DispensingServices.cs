using PharmacyRx.Core.Dispensing;
using PharmacyRx.Storage.Dispensing;

namespace PharmacyRx.Host.Dispensing;

/// <summary>What the pharmacy does with a prescription: dispensings, annotations, voids and transfers (1306, 1311.200).</summary>
public static class DispensingServices
{
    public static IServiceCollection AddDispensing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<DispensingOptions>(configuration, "Dispensing");
        services.AddSingleton<PharmacyWorkStore>();
        return services;
    }
}
