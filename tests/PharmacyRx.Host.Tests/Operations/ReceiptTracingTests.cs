using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using PharmacyRx.Host.Api;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Operations;

/// <summary>With <c>Operations:Otlp:Endpoint</c> set, a message's path is exported by OTLP with its receipt id.</summary>
public sealed class ReceiptTracingTests
{
    [Test]
    public async Task A_posted_message_is_traced_from_the_door_through_the_pipeline_to_the_archive_with_its_receipt_id()
    {
        using var collector = new LoopbackReceiver();
        using var installed = await InstalledPharmacy.CreateAsync();
        var senderKey = await installed.AddSenderAsync("gateway");
        Guid receiptId;
        await using (var service = await RunningService.StartAsync(installed, builder =>
        {
            builder.Configuration["Operations:Otlp:Endpoint"] = collector.Address.ToString();
            builder.Configuration["Operations:Otlp:Protocol"] = "HttpProtobuf";
        }))
        {
            using var sender = service.Client(senderKey);
            var content = new ByteArrayContent(new SyntheticNewRx { MessageId = "TRACED-1" }.ToBytes());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
            using var posted = await sender.PostAsync("/api/inbound", content);
            receiptId = (await posted.Content.ReadFromJsonAsync<InboundApi.InboundResponse>())!.ReceiptId;
        }
        // Stopping the service flushes the batch of spans.

        var traces = collector.Received.Where(p => p.Path == "/v1/traces").Select(p => Encoding.UTF8.GetString(p.Body)).ToList();

        Assert.That(traces, Is.Not.Empty, "no OTLP trace export arrived");
        var all = string.Concat(traces);
        Assert.That(all, Does.Contain(receiptId.ToString("D")), "the receipt id as a span attribute");
        Assert.That(all, Does.Contain("pharmacyrx.receipt_id").And.Contain("receipt").And.Contain("archive"));
        Assert.That(all, Does.Contain("Microsoft.AspNetCore.Hosting.HttpRequestIn"), "the HTTP door's span (ASP.NET Core's own)");
        Assert.That(collector.Received.Any(p => p.Path == "/v1/metrics"), Is.True, "metrics exported by OTLP too");
    }
}
