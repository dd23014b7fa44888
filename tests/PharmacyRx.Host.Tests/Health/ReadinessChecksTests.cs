using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Health;

public class ReadinessChecksTests
{
    [Test]
    public async Task Health_says_since_when_messages_are_refused_on_the_pharmacys_clock_as_the_console_writes_every_instant()
    {
        using var installed = await InstalledPharmacy.CreateAsync();
        var monitoringKey = await installed.MonitoringKeyAsync();
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 12, 7, 1, 8, 0, TimeSpan.Zero));
        await using var service = await RunningService.StartAsync(installed, builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Pharmacy:TimeZone"] = "America/Chicago", ["Clock:Enabled"] = "false", ["Backup:Enabled"] = "false",
            });
            builder.Services.AddSingleton<TimeProvider>(clock);
        });

        service.Services.GetRequiredService<IngestRefusals>().Refused(new StorageFault("DiskFull", TimeSpan.FromSeconds(5)));
        using var monitoring = InstalledPharmacy.Monitoring(service.Client(), monitoringKey);
        using var ready = await monitoring.GetAsync("/health/ready");

        var description = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement
            .GetProperty("checks").GetProperty("freeSpace").GetProperty("description").GetString();
        Assert.That(description, Is.EqualTo("messages are refused (503, held, retried) since 2026-12-06 19:08 -06:00 America/Chicago: DiskFull"));
    }
}
