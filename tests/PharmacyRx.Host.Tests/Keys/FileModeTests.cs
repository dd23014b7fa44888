using System.Diagnostics;
using System.Text.Json;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Keys;

/// <summary>Health data is the service user's alone: every file it writes is 0600, every folder 0700, and a looser one is reported.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class FileModeTests
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = OwnerFile | UnixFileMode.UserExecute;

    [Test]
    [Property("Rule", "1311.205(b)(1)")]
    public async Task After_init_ingest_backup_report_and_export_every_file_is_0600_and_every_folder_0700_under_a_lax_umask()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix file modes");
        }
        using var folder = new TempFolder();
        var data = folder.File("data");
        var sample = Path.Combine(RepositoryRoot.Path, "deploy", "samples", "01-newrx-receipt-signed.xml");
        var yesterday = DateTime.Now.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        string[][] runs =
        [
            ["init", "--data", data],
            ["ingest", "--data", data, sample],
            ["backup", "run", "--data", data],
            ["audit", "report", "--date", yesterday, "--data", data],
            ["export", "--format", "csv", "--schedule", "all", "--out", Path.Combine(data, "inspector.csv"), "--data", data],
            ["export", "--format", "sqlite", "--schedule", "all", "--out", Path.Combine(data, "inspector.sqlite"), "--data", data],
        ];
        foreach (var args in runs)
        {
            var (exit, output, error) = await ChildProgram.RunAsync(args, umask: "022"); // a shell whose umask lets group and others read, as many do
            Assert.That(exit, Is.Zero, $"{string.Join(' ', args)}: {output} {error}");
        }

        var loose = Directory.EnumerateFileSystemEntries(data, "*", SearchOption.AllDirectories).Append(data)
            .Select(path => (path, mode: File.GetUnixFileMode(path), folder: Directory.Exists(path)))
            .Where(entry => entry.mode != (entry.folder ? OwnerFolder : OwnerFile))
            .Select(entry => $"{Path.GetRelativePath(data, entry.path)} {Convert.ToString((int)entry.mode, 8)}")
            .ToArray();
        Assert.That(Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).Select(Path.GetFileName),
            Does.Contain("pharmacyrx.db").And.Contain("manifest.json").And.Contain("inspector.csv").And.Contain("inspector.sqlite").And.Contain($"audit-{yesterday}.txt"));
        Assert.That(loose, Is.Empty);
    }

    [Test]
    public async Task A_database_made_world_readable_is_a_warning_of_verify_naming_it()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix file modes");
        }
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        File.SetUnixFileMode(pharmacy.Data.DatabasePath, OwnerFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var verify = await pharmacy.RunAsync("verify");

        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
        Assert.That(verify.Output, Does.Contain($"WARN {pharmacy.Data.DatabasePath} can be read by group or others (mode 0644)"));
    }

    [Test]
    public async Task A_database_made_world_readable_is_a_warning_of_readiness_naming_it()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix file modes");
        }
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var service = await RunningService.StartAsync(pharmacy, builder => builder.Configuration["Health:FileModesInterval"] = "00:00:00");
        using var client = await pharmacy.MonitoringClientAsync(service.BaseAddress);
        using var before = await client.GetAsync("/health/ready");
        File.SetUnixFileMode(pharmacy.Data.DatabasePath, OwnerFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using var after = await client.GetAsync("/health/ready");

        var held = JsonDocument.Parse(await before.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("fileModes");
        var warned = JsonDocument.Parse(await after.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("fileModes");
        Assert.That(held.GetProperty("status").GetString(), Is.EqualTo("Healthy"), held.ToString());
        Assert.That(warned.GetProperty("status").GetString(), Is.EqualTo("Degraded"));
        Assert.That(warned.GetProperty("description").GetString(), Does.StartWith("warn: ").And.Contain(pharmacy.Data.DatabasePath));
        Assert.That(after.StatusCode, Is.Not.EqualTo(System.Net.HttpStatusCode.ServiceUnavailable), "a warning, not a failed readiness");
    }

    [Test]
    public async Task A_flood_of_anonymous_readiness_probes_walks_the_data_folder_once_per_interval_not_once_per_probe()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix file modes");
        }
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var service = await RunningService.StartAsync(pharmacy);
        using var client = await pharmacy.MonitoringClientAsync(service.BaseAddress);
        using var first = await client.GetAsync("/health/ready");
        File.SetUnixFileMode(pharmacy.Data.DatabasePath, OwnerFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var probe = await client.GetAsync("/health/ready");
            return JsonDocument.Parse(await probe.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("fileModes").GetProperty("status").GetString();
        }));

        // Each walk stats every file in the data folder (inbox/archived grows without end): an anonymous caller must not
        // be able to make one per request. The probes within the interval get the walk already made.
        Assert.That(statuses, Is.All.EqualTo("Healthy"));
    }

    [Test]
    public async Task Init_into_a_folder_made_beforehand_with_mode_0755_makes_it_0700()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix file modes");
        }
        using var pharmacy = new InstalledPharmacy();
        Directory.CreateDirectory(pharmacy.Data.Root);
        // Set, not created with: mkdir's mode passes through the umask, which an earlier test may have tightened.
        File.SetUnixFileMode(pharmacy.Data.Root, OwnerFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var init = await pharmacy.RunAsync("init");
        var verify = await pharmacy.RunAsync("verify");

        Assert.That(init.ExitCode, Is.Zero, init.Error);
        Assert.That(File.GetUnixFileMode(pharmacy.Data.Root), Is.EqualTo(OwnerFolder));
        Assert.That(verify.Output, Does.Not.Contain("can be entered by group or others"));
    }
}
