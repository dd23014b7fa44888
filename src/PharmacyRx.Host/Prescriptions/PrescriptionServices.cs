using PharmacyRx.Host.Api;
using PharmacyRx.Host.Export;
using PharmacyRx.Storage.Prescriptions;

namespace PharmacyRx.Host.Prescriptions;

/// <summary>Finding and reading prescriptions: search, the details derived on receipt, and the views of one record.</summary>
public static class PrescriptionServices
{
    public static IServiceCollection AddPrescriptions(this IServiceCollection services)
    {
        services.AddSingleton<PrescriptionSearch>();
        services.AddSingleton<PrescriptionBackfill>();
        services.AddSingleton<PrescriptionDetails>();
        services.AddSingleton<PatientSearchIndex>();
        services.AddSingleton<PrescriptionViews>();
        return services;
    }

    /// <summary>Details derived for records archived before they were kept.</summary>
    public static IServiceCollection AddPrescriptionsWork(this IServiceCollection services) => services.AddHostedService<PrescriptionDetailsUpkeep>();
}
