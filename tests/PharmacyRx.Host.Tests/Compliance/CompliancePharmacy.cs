using Microsoft.Extensions.Configuration;
using PharmacyRx.Host.Compliance;
using PharmacyRx.Testing;
using PharmacyRx.Host.Keys;

namespace PharmacyRx.Host.Tests.Compliance;

/// <summary>
/// A pharmacy installed by <c>init</c> with the services composed as a verb composes them (the key loaded, so backups can
/// be taken), a configuration the test chooses (in memory, and a JSON file when given) and a clock the test moves.
/// </summary>
internal sealed class CompliancePharmacy : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CompliancePharmacy(InstalledPharmacy installed, IConfiguration configuration, ManualTimeProvider clock)
    {
        Installed = installed;
        Clock = clock;
        var key = PharmacyKeyFiles.Load(installed.Data.KeyPath, installed.Data.CertificatePath, InstalledPharmacy.KeyPassword.ToCharArray());
        var services = new ServiceCollection().AddLogging().AddPharmacyRx(
            configuration, installed.Data, key, environment: name => installed.Environment.GetValueOrDefault(name));
        services.AddSingleton<TimeProvider>(clock);
        _services = services.BuildServiceProvider();
    }

    public InstalledPharmacy Installed { get; }

    public ManualTimeProvider Clock { get; }

    public DataFolder Data => Installed.Data;

    /// <summary>A fresh installation; the clock check is off unless <paramref name="settings"/> turn it on.</summary>
    public static async Task<CompliancePharmacy> CreateAsync(Dictionary<string, string?>? settings = null, string? jsonSettings = null)
    {
        var installed = await InstalledPharmacy.CreateAsync();
        var builder = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Clock:Enabled"] = "false" }.Concat(settings ?? [])
            .GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Last().Value));
        if (jsonSettings is not null)
        {
            var file = Path.Combine(installed.Folder, "appsettings.json");
            await File.WriteAllTextAsync(file, jsonSettings);
            builder.AddJsonFile(file);
        }
        return new CompliancePharmacy(installed, builder.Build(), new ManualTimeProvider(DateTimeOffset.UtcNow));
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public Task<ComplianceReport> ReportAsync(string? testResults = null, bool checkClock = false) =>
        Get<ComplianceReporter>().BuildAsync(testResults, CancellationToken.None, checkClock);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Installed.Dispose();
    }
}
