using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host;
using PharmacyRx.Storage;

namespace PharmacyRx.Benchmarks;

/// <summary>The service's own composition (<see cref="ReceivingServices"/>) over a data folder, as the CLI verbs use it.</summary>
internal static class BenchServices
{
    public static async Task<ServiceProvider> OpenAsync(string folder, PharmacySigningKey key, IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        Directory.CreateDirectory(folder);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var collection = new ServiceCollection()
            .AddLogging()
            .AddPharmacyRx(configuration, new DataFolder(folder), key);
        if (time is not null)
        {
            collection.AddSingleton(time);
        }
        var services = collection.BuildServiceProvider();
        await services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
        return services;
    }
}
