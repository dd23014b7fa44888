using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using PharmacyRx.Host.Api;
using PharmacyRx.Host.Tests.Api;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Operations;

/// <summary>
/// <c>/metrics</c> on a running service: only for a caller holding ReadAudit (the monitoring service account), with the
/// figures of what was sent, and no name, MessageID or receipt id in any label.
/// </summary>
public sealed class MetricsEndpointTests
{
    [Test]
    public async Task Anonymous_and_wrong_credentials_get_no_metrics()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var anonymous = pharmacy.Anonymous();
        using var wrongKey = pharmacy.Anonymous();
        wrongKey.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "prk_not-a-key-of-this-pharmacy");

        using var refused = await anonymous.GetAsync("/metrics");
        using var wrong = await wrongKey.GetAsync("/metrics");

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await refused.Content.ReadAsStringAsync() + await wrong.Content.ReadAsStringAsync(), Does.Not.Contain("pharmacyrx_"));
    }

    [Test]
    public async Task A_user_without_ReadAudit_is_refused()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "tech", "Technician");
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        using var technician = await pharmacy.SignedInAsync("tech");

        using var response = await technician.GetAsync("/metrics");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("pharmacyrx_"));
    }

    [Test]
    public async Task The_monitoring_key_reads_what_was_received_by_door_and_outcome_and_nothing_that_names_anyone()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync(builder => builder.Configuration["Operations:FiguresInterval"] = "00:00:01");
        var senderKey = await pharmacy.Pharmacy.AddSenderAsync("gateway");
        using var sender = pharmacy.Service.Client(senderKey);
        var receiptIds = new List<Guid>();
        var messages = Enumerable.Range(1, 3).Select(i => new SyntheticNewRx { MessageId = $"METRICS-SIGNED-{i}", PatientLastName = "Zyxwvutsrq" })
            .Append(new SyntheticNewRx { MessageId = "METRICS-REVIEW-1", SignatureIndicator = null, PatientLastName = "Zyxwvutsrq" })
            .Select(m => m.ToBytes())
            .Append("not a SCRIPT message"u8.ToArray());
        foreach (var body in messages)
        {
            using var posted = await sender.PostAsync("/api/inbound", Xml(body));
            receiptIds.Add((await posted.Content.ReadFromJsonAsync<InboundApi.InboundResponse>())!.ReceiptId);
        }
        using var anonymous = pharmacy.Anonymous();
        (await anonymous.GetAsync("/metrics")).Dispose();
        (await pharmacy.LoginAsync("admin", "a wrong password")).Dispose();
        using var monitoring = await pharmacy.Pharmacy.MonitoringClientAsync(pharmacy.Service.BaseAddress);

        var text = await WaitForAsync(monitoring, "pharmacyrx_queue_prescriptions{group=\"NeedsReview\"} 1\n");

        Assert.That(text, Does.Contain("pharmacyrx_receipts_total{door=\"http\",duplicate=\"false\",reason_code=\"\",status=\"ReceiptSigned\"} 3\n"));
        Assert.That(text, Does.Match("pharmacyrx_receipts_total\\{door=\"http\",duplicate=\"false\",reason_code=\"[A-Za-z]+\",status=\"NeedsPharmacistReview\"\\} 1\n"));
        Assert.That(text, Does.Match("pharmacyrx_receipts_total\\{door=\"http\",duplicate=\"false\",reason_code=\"[A-Za-z]+\",status=\"Rejected\"\\} 1\n"));
        Assert.That(text, Does.Contain("pharmacyrx_archive_duration_seconds_count{door=\"http\"} 5\n"));
        Assert.That(text, Does.Contain("pharmacyrx_queue_prescriptions{group=\"Rejected\"} 1\n"));
        Assert.That(text, Does.Match("pharmacyrx_queue_oldest_age_seconds\\{group=\"NeedsReview\"\\} [0-9.]+\n"));
        Assert.That(text, Does.Contain("pharmacyrx_queue_prescriptions{group=\"NotYetDispensed\"} 3\n"));
        Assert.That(text, Does.Match("pharmacyrx_queue_oldest_age_seconds\\{group=\"NotYetDispensed\"\\} [0-9.]+\n"));
        Assert.That(text, Does.Contain("pharmacyrx_queue_review_alert_after_seconds 1800\n"));
        Assert.That(text, Does.Contain("pharmacyrx_signin_failures_total{outcome=\"Failed\"} 1\n"));
        Assert.That(text, Does.Match("pharmacyrx_anonymous_refusals_total\\{rate_limited=\"false\"\\} [1-9][0-9]*\n"));
        Assert.That(text, Does.Contain("http_server_request_duration_seconds_bucket{"), "ASP.NET Core's meter");
        Assert.That(text, Does.Contain("kestrel_active_connections{"), "Kestrel's meter");
        Assert.That(text, Does.Contain("dotnet_gc_collections_total{"), "the runtime's meter");
        // No PHI and no identifiers in any label: no patient name, no MessageID, no receipt id, no sender name.
        Assert.That(text, Does.Not.Contain("Zyxwvutsrq").And.Not.Contain("METRICS-").And.Not.Contain("gateway"));
        Assert.That(receiptIds.Where(id => text.Contains(id.ToString("D"), StringComparison.OrdinalIgnoreCase)), Is.Empty);
    }

    [Test]
    public async Task The_age_of_the_newest_backup_and_the_last_verify_run_come_from_the_data_folder_and_the_audit_trail()
    {
        using var installed = await InstalledPharmacy.CreateAsync();
        var backup = await installed.RunAsync("backup", "run");
        Assert.That(backup.ExitCode, Is.Zero, backup.Error);
        var verify = await installed.RunAsync("verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output + verify.Error);
        await using var service = await RunningService.StartAsync(installed, builder => builder.Configuration["Operations:FiguresInterval"] = "00:00:01");
        using var monitoring = await installed.MonitoringClientAsync(service.BaseAddress);

        var text = await WaitForAsync(monitoring, "pharmacyrx_verify_last_success 1\n");

        Assert.That(text, Does.Match("pharmacyrx_backup_last_age_seconds [0-9.]+(E-?[0-9]+)?\n"));
        Assert.That(text, Does.Contain("pharmacyrx_backup_last_run_success 1\n"));
        Assert.That(text, Does.Match("pharmacyrx_verify_last_age_seconds [0-9.]+(E-?[0-9]+)?\n"));
        Assert.That(text, Does.Match("pharmacyrx_audit_unsigned_age_seconds [0-9.]+(E-?[0-9]+)?\n"));
    }

    private static async Task<string> WaitForAsync(HttpClient monitoring, string line)
    {
        var text = "";
        for (var attempt = 0; attempt < 40 && !text.Contains(line, StringComparison.Ordinal); attempt++)
        {
            using var response = await monitoring.GetAsync("/metrics");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
            text = await response.Content.ReadAsStringAsync();
            await Task.Delay(250);
        }
        Assert.That(text, Does.Contain(line));
        return text;
    }

    private static ByteArrayContent Xml(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        return content;
    }
}
