using System.Net.Http.Headers;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Tests.Api;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Operations;

/// <summary>
/// A real Prometheus (Debian's) with the project's scrape configuration and rules scrapes a running service with the
/// monitoring key; its HTTP API shows what was sent, and a late backup reaches a webhook through a real Alertmanager.
/// </summary>
[NonParallelizable]
public sealed class PrometheusScrapeTests
{
    [Test]
    public async Task Prometheus_shows_as_many_received_and_archived_as_were_sent()
    {
        using var folder = new TempFolder();
        await using var pharmacy = await LoopbackPharmacy.StartAsync(builder => builder.Configuration["Operations:FiguresInterval"] = "00:00:01");
        var senderKey = await pharmacy.Pharmacy.AddSenderAsync("gateway");
        await using var prometheus = await MonitoringServer.StartPrometheusAsync(folder.File("prometheus"),
            await ScrapeConfigurationAsync(folder, pharmacy, alertmanager: "127.0.0.1:9"));
        using var sender = pharmacy.Service.Client(senderKey);
        const int Sent = 12;
        for (var i = 0; i < Sent; i++)
        {
            var body = i == Sent - 1 ? "not a SCRIPT message"u8.ToArray() : new SyntheticNewRx { MessageId = $"SCRAPE-{i}" }.ToBytes();
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
            using var posted = await sender.PostAsync("/api/inbound", content);
            Assert.That(posted.IsSuccessStatusCode, Is.True, await posted.Content.ReadAsStringAsync());
        }

        var received = await prometheus.WaitForValueAsync("sum(pharmacyrx_receipts_total{job=\"pharmacyrx\"})", Sent, TimeSpan.FromSeconds(60));

        Assert.That(received, Is.EqualTo(Sent), prometheus.Log);
        Assert.That(await prometheus.WaitForValueAsync("sum(pharmacyrx_archive_duration_seconds_count{job=\"pharmacyrx\"})", Sent, TimeSpan.FromSeconds(10)), Is.EqualTo(Sent));
        Assert.That(await prometheus.WaitForValueAsync("sum(pharmacyrx_receipts_total{status=\"Rejected\"})", 1, TimeSpan.FromSeconds(10)), Is.EqualTo(1));
        Assert.That(await prometheus.WaitForValueAsync("pharmacyrx_queue_prescriptions{group=\"NotYetDispensed\"}", Sent - 1, TimeSpan.FromSeconds(30)), Is.EqualTo(Sent - 1));
        Assert.That(await prometheus.WaitForValueAsync("up{job=\"pharmacyrx\"}", 1, TimeSpan.FromSeconds(5)), Is.EqualTo(1));
    }

    [Test]
    public async Task A_late_backup_fires_in_Prometheus_and_Alertmanager_posts_it_to_the_webhook()
    {
        using var folder = new TempFolder();
        using var webhook = new LoopbackReceiver();
        await using var alertmanager = await MonitoringServer.StartAlertmanagerAsync(folder.File("alertmanager"), MonitoringServer.Adapted("alertmanager.yml",
            ("http://127.0.0.1:9095/pharmacyrx-alerts", new Uri(webhook.Address, "pharmacyrx-alerts").ToString()),
            ("group_wait: 30s", "group_wait: 1s")));
        // The scheduler would take a backup at start-up: switched off, so the planted one (27 hours old) is the newest.
        await using var pharmacy = await LoopbackPharmacy.StartAsync(builder =>
        {
            builder.Configuration["Operations:FiguresInterval"] = "00:00:01";
            builder.Configuration["Backup:Enabled"] = "false";
        });
        var late = Path.Combine(BackupService.BackupFolder(new BackupOptions(), pharmacy.Pharmacy.Data),
            $"pharmacyrx-{DateTimeOffset.UtcNow.AddHours(-27):yyyy-MM-dd'T'HHmmssfff'Z'}");
        Directory.CreateDirectory(late);
        await File.WriteAllTextAsync(Path.Combine(late, "manifest.sig"), "synthetic");
        await using var prometheus = await MonitoringServer.StartPrometheusAsync(folder.File("prometheus"),
            await ScrapeConfigurationAsync(folder, pharmacy, alertmanager.HostAndPort));

        var posted = await webhook.WaitForAsync(post => System.Text.Encoding.UTF8.GetString(post.Body) is var body
            && body.Contains("\"alertname\":\"BackupLate\"", StringComparison.Ordinal) && body.Contains("\"status\":\"firing\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(90));

        Assert.That(posted, Is.True, $"no BackupLate reached the webhook; Prometheus: {prometheus.Log}\nAlertmanager: {alertmanager.Log}");
        Assert.That(webhook.Received.Select(p => p.Path), Has.All.EqualTo("/pharmacyrx-alerts"));
        var firing = await prometheus.QueryAsync("ALERTS{alertname=\"BackupLate\", alertstate=\"firing\"}");
        Assert.That(firing.Single().Labels["severity"], Is.EqualTo("critical"));
    }

    /// <summary>deploy/prometheus/prometheus.yml aimed at the test's service, its key and Alertmanager, scraping every second.</summary>
    private static async Task<string> ScrapeConfigurationAsync(TempFolder folder, LoopbackPharmacy pharmacy, string alertmanager)
    {
        var key = folder.File("monitoring.key");
        await File.WriteAllTextAsync(key, await pharmacy.Pharmacy.MonitoringKeyAsync());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return MonitoringServer.Adapted("prometheus.yml",
            ("scrape_interval: 15s", "scrape_interval: 1s"),
            ("evaluation_interval: 15s", "evaluation_interval: 1s"),
            ("/etc/prometheus/pharmacyrx-rules.yml", MonitoringServer.Deployed("pharmacyrx-rules.yml")),
            ("/etc/prometheus/pharmacyrx-monitoring.key", key),
            ("127.0.0.1:9093", alertmanager),
            ("127.0.0.1:5080", $"{pharmacy.Service.BaseAddress.Host}:{pharmacy.Service.BaseAddress.Port}"));
    }
}
