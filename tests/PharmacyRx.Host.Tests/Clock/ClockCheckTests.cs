using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using PharmacyRx.Core.Audit;
using PharmacyRx.Host.Clock;
using PharmacyRx.Host.Tests.Api;
using PharmacyRx.Host.Tests.Verification;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Tests.Clock;

/// <summary>The clock against an SNTP server on 127.0.0.1 (1311.205(b)(4)(v)), and what health and the audit trail say.</summary>
public class ClockCheckTests
{
    private static ClockCheck Check(VerifyingPharmacy pharmacy, int port) => new(
        new ClockOptions { Server = "127.0.0.1", Port = port, Timeout = TimeSpan.FromSeconds(1) },
        pharmacy.Get<AuditLog>(), TimeProvider.System, NullLogger<ClockCheck>.Instance);

    [Test]
    [Property("Rule", "1311.205(b)(4)")]
    [Property("Rule", "1311.215(a)")]
    public async Task A_clock_within_five_minutes_passes_and_one_further_off_is_audited()
    {
        await using var pharmacy = await VerifyingPharmacy.CreateAsync();
        using var server = new SntpServer(TimeSpan.FromSeconds(90));
        var check = Check(pharmacy, server.Port);

        var close = await check.CheckAsync(CancellationToken.None);
        server.Offset = TimeSpan.FromMinutes(-7);
        var far = await check.CheckAsync(CancellationToken.None);

        Assert.That(close.Skew!.Value.TotalSeconds, Is.EqualTo(90).Within(1));
        Assert.That(close.WithinBounds, Is.True);
        Assert.That(far.Skew!.Value.TotalMinutes, Is.EqualTo(-7).Within(0.05));
        Assert.That(far.WithinBounds, Is.False);
        var audited = await pharmacy.AuditAsync(AuditEventTypes.ClockOutOfBounds);
        Assert.That(audited.Single().Details, Does.StartWith("skew=-4").And.EndWith("limit=300 s (1311.205(b)(4)(v))"));
    }

    [Test]
    public async Task A_server_that_does_not_answer_is_a_failed_check_audited_with_the_reason()
    {
        await using var pharmacy = await VerifyingPharmacy.CreateAsync();
        using var silent = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var check = Check(pharmacy, ((IPEndPoint)silent.Client.LocalEndPoint!).Port);

        var status = await check.CheckAsync(CancellationToken.None);

        Assert.That((status.Skew, status.WithinBounds), Is.EqualTo(((TimeSpan?)null, false)));
        Assert.That(status.Problem, Is.EqualTo("127.0.0.1 did not answer within 1 s"));
        Assert.That((await pharmacy.AuditAsync(AuditEventTypes.ClockCheckFailed)).Single().Outcome, Is.EqualTo(AuditOutcome.Failure));
    }

    [Test]
    public async Task Readiness_reports_the_database_the_clock_and_the_CRLs_a_failed_check_degrades_it_and_a_clock_out_of_bounds_makes_it_unhealthy()
    {
        using var server = new SntpServer(TimeSpan.FromSeconds(3));
        await using var api = await PharmacyApi.CreateAsync(new() { ["Clock:Enabled"] = "true", ["Clock:Server"] = "127.0.0.1", ["Clock:Port"] = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Clock:Timeout"] = "00:00:01",
        });
        using var client = InstalledPharmacy.Monitoring(api.CreateClient(), await api.Pharmacy.MonitoringKeyAsync());
        var clock = api.Services.GetRequiredService<ClockCheck>();
        await clock.CheckAsync(CancellationToken.None);

        using var ready = await client.GetAsync("/health/ready");
        var healthy = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        server.Offset = TimeSpan.FromMinutes(6);
        await clock.CheckAsync(CancellationToken.None);
        using var off = await client.GetAsync("/health/ready");
        var unhealthy = JsonDocument.Parse(await off.Content.ReadAsStringAsync()).RootElement;
        server.Dispose();
        await clock.CheckAsync(CancellationToken.None);
        using var unknown = await client.GetAsync("/health/ready");
        var degraded = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement;

        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(healthy.GetProperty("checks").GetProperty("database").GetProperty("status").GetString(), Is.EqualTo("Healthy"));
        Assert.That(healthy.GetProperty("checks").GetProperty("clock").GetProperty("status").GetString(), Is.EqualTo("Healthy"));
        Assert.That(healthy.GetProperty("checks").GetProperty("crls").GetProperty("status").GetString(), Is.EqualTo("Healthy"));
        Assert.That(healthy.GetProperty("checks").GetProperty("backup").GetProperty("description").GetString(), Is.EqualTo("the daily backup is switched off"));
        Assert.That(healthy.GetProperty("checks").GetProperty("auditReport").GetProperty("status").GetString(), Is.EqualTo("Healthy"));
        Assert.That(off.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(unhealthy.GetProperty("checks").GetProperty("clock").GetProperty("description").GetString(), Does.Contain("1311.205(b)(4)(v)"));
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(degraded.GetProperty("checks").GetProperty("clock").GetProperty("status").GetString(), Is.EqualTo("Degraded"));
    }
}
