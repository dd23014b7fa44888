using PharmacyRx.Storage.Export;

namespace PharmacyRx.Host.Export;

/// <summary>The inspector's sortable export (1311.215(b)).</summary>
public static class ExportServices
{
    public static IServiceCollection AddExport(this IServiceCollection services)
    {
        services.AddSingleton<ExportQuery>();
        services.AddSingleton<InspectorExport>();
        return services;
    }
}
