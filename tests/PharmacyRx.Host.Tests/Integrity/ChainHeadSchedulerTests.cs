using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Integrity;

/// <summary>The running service signs the chain head after a short interval of activity and copies it outside the data folder.</summary>
public class ChainHeadSchedulerTests
{
    [Test]
    public async Task Serve_signs_the_head_after_its_interval_and_copies_it_to_the_second_folder()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        using var second = new TempFolder();
        await using var service = await RunningService.StartAsync(pharmacy, builder =>
        {
            builder.Configuration["Audit:HeadInterval"] = "00:00:01";
            builder.Configuration["Backup:SecondFolder"] = second.Path;
        });
        var heads = Path.Combine(pharmacy.Data.Root, "heads");

        var added = await pharmacy.RunAsync("users", "add", "tech1", "--full-name", "Synthetic Tech", "--initials", "ST", "--role", "Technician");
        var first = await WaitForAsync(() => Directory.Exists(heads) ? Directory.GetFiles(heads, "head-*.json") : []);
        // Stopped before verify reads the heads: a running service keeps signing new ones every second.
        await service.DisposeAsync();
        var signed = Directory.GetFiles(heads, "head-*.json").Order(StringComparer.Ordinal).ToArray();
        var verify = await pharmacy.RunAsync("verify");

        Assert.That(added.ExitCode, Is.Zero, added.Error);
        Assert.That(first, Is.Not.Empty, "no head was signed within the interval");
        Assert.That(File.Exists(Path.Combine(second.Path, "heads", Path.GetFileName(signed[0]))), Is.True, "the head is copied to the second folder");
        Assert.That(verify.Output, Does.Contain($"no truncation provable beyond head {long.Parse(Path.GetFileNameWithoutExtension(signed[^1])[5..], System.Globalization.CultureInfo.InvariantCulture)} signed at"));
    }

    private static async Task<string[]> WaitForAsync(Func<string[]> files)
    {
        for (var i = 0; i < 100; i++)
        {
            if (files() is { Length: > 0 } found)
            {
                return [.. found.Order()];
            }
            await Task.Delay(100);
        }
        return [];
    }
}
