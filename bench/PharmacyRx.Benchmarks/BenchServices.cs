using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PharmacyRx.Core.Signing;
using PharmacyRx.Host;
using PharmacyRx.Storage;

namespace PharmacyRx.Benchmarks;

/// <summary>The service's own composition (<see cref="ReceivingServices"/>) over a data folder, as the CLI verbs use it.</summary>
internal static class BenchServices
{
    public static async Task<ServiceProvider> OpenAsync(string folder, PharmacySigningKey key, IDictionary<string, string?>? settings = null)
    {
        Directory.CreateDirectory(folder);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddReceiving(configuration, new DataFolder(folder), key)
            .BuildServiceProvider();
        await services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
        return services;
    }
}
