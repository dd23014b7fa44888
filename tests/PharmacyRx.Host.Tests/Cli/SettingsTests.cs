using PharmacyRx.Host.Cli;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Cli;

/// <summary>A setting out of its range stops serve and every verb at start, named, before the data folder is touched.</summary>
public class SettingsTests
{
    [Test]
    public async Task A_verb_with_a_setting_out_of_range_stops_naming_it_and_writes_nothing()
    {
        using var folder = new TempFolder();
        var data = folder.File("data");
        var init = await ChildProgram.RunAsync(["init", "--data", data]);
        var database = Path.Combine(data, "pharmacyrx.db");
        var before = File.GetLastWriteTimeUtc(database);

        var verify = await ChildProgram.RunAsync(["verify", "--data", data], environment: new Dictionary<string, string> { ["Archive__MaxBatchSize"] = "0" });

        Assert.That(init.ExitCode, Is.Zero, init.Error);
        Assert.That(verify.ExitCode, Is.EqualTo(PharmacyRxCommandLine.ConfigurationExit), verify.Error);
        Assert.That(verify.Error, Does.Contain("MaxBatchSize"));
        Assert.That(File.GetLastWriteTimeUtc(database), Is.EqualTo(before));
    }

    [Test]
    public async Task Serve_with_a_setting_out_of_range_stops_at_start_naming_it()
    {
        using var folder = new TempFolder();
        var data = folder.File("data");
        var init = await ChildProgram.RunAsync(["init", "--data", data]);

        var serve = await ChildProgram.RunAsync(["serve", "--data", data, "--urls", "http://127.0.0.1:0"],
            environment: new Dictionary<string, string> { ["Audit__HeadEvery"] = "0", ["Clock__Enabled"] = "false" });

        Assert.That(init.ExitCode, Is.Zero, init.Error);
        Assert.That(serve.ExitCode, Is.EqualTo(PharmacyRxCommandLine.ConfigurationExit), serve.Error);
        Assert.That(serve.Error, Does.Contain("HeadEvery"));
    }
}
