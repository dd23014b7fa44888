using System.Diagnostics;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Operations;

/// <summary>deploy/prometheus/ as shipped: promtool and amtool accept it, and each alert rule's unit tests pass.</summary>
public sealed class AlertRulesTests
{
    [Test]
    public async Task Promtool_accepts_the_alert_rules()
    {
        var (exit, output) = await RunAsync("promtool", "check", "rules", MonitoringServer.Deployed("pharmacyrx-rules.yml"));

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("SUCCESS: 12 rules found"));
    }

    [Test]
    public async Task Every_alert_fires_when_it_should_and_not_before()
    {
        var (exit, output) = await RunAsync("promtool", "test", "rules", MonitoringServer.Deployed("pharmacyrx-rules.test.yml"));

        Assert.That(exit, Is.Zero, output);
        var rules = await File.ReadAllTextAsync(MonitoringServer.Deployed("pharmacyrx-rules.yml"));
        var tests = await File.ReadAllTextAsync(MonitoringServer.Deployed("pharmacyrx-rules.test.yml"));
        var alerts = rules.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("- alert: ", StringComparison.Ordinal)).Select(l => l["- alert: ".Length..]).ToList();
        Assert.That(alerts, Has.Count.EqualTo(12));
        Assert.That(alerts.Where(a => !tests.Contains($"alertname: {a}\n", StringComparison.Ordinal)), Is.Empty, "alerts without a unit test");
    }

    [Test]
    public async Task Promtool_accepts_the_scrape_configuration()
    {
        using var folder = new TempFolder();
        var key = folder.File("monitoring.key");
        await File.WriteAllTextAsync(key, "prk_synthetic");
        var config = folder.File("prometheus.yml");
        await File.WriteAllTextAsync(config, MonitoringServer.Adapted("prometheus.yml",
            ("/etc/prometheus/pharmacyrx-rules.yml", MonitoringServer.Deployed("pharmacyrx-rules.yml")),
            ("/etc/prometheus/pharmacyrx-monitoring.key", key)));

        var (exit, output) = await RunAsync("promtool", "check", "config", config);

        Assert.That(exit, Is.Zero, output);
    }

    [Test]
    public async Task Amtool_accepts_the_alertmanager_configuration_with_an_email_and_a_webhook_receiver()
    {
        var (exit, output) = await RunAsync("amtool", "check-config", MonitoringServer.Deployed("alertmanager.yml"));

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("2 receivers"));
        var config = await File.ReadAllTextAsync(MonitoringServer.Deployed("alertmanager.yml"));
        Assert.That(config, Does.Contain("email_configs:").And.Contain("webhook_configs:"));
    }

    private static async Task<(int Exit, string Output)> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(MonitoringServer.Tool(tool)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output + await error);
    }
}
