using System.Net;
using System.Net.Http.Json;
using PharmacyRx.Host.Api;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>Real HTTP on loopback against <c>pharmacyrx serve</c>.</summary>
public class InboundApiTests
{
    [Test]
    public async Task Archives_a_posted_message_and_answers_a_repeat_with_the_first_outcome()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var key = await pharmacy.AddSenderAsync("gateway");
        await using var service = await RunningService.StartAsync(pharmacy);
        using var http = service.Client(key);
        var body = new SyntheticNewRx { MessageId = "HTTP-1" }.ToBytes();

        using var first = await http.PostAsync("/api/inbound", Xml(body));
        using var again = await http.PostAsync("/api/inbound", Xml(body));

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var created = await first.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
        var repeated = await again.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
        Assert.That(created!.Status, Is.EqualTo("ReceiptSigned"));
        Assert.That(first.Headers.Location?.ToString(), Is.EqualTo($"/api/prescriptions/{created.ReceiptId:D}"));
        Assert.That(repeated, Is.EqualTo(created with { Duplicate = true }));
    }

    [Test]
    public async Task Archives_a_hostile_message_as_rejected_and_says_why()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var key = await pharmacy.AddSenderAsync("gateway");
        await using var service = await RunningService.StartAsync(pharmacy);
        using var http = service.Client(key);
        var billionLaughs = """<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><m>&b;</m>"""u8.ToArray();

        using var response = await http.PostAsync("/api/inbound", Xml(billionLaughs));

        var outcome = await response.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(outcome!.Status, Is.EqualTo("Rejected"));
        Assert.That(outcome.ReasonCode, Is.EqualTo("ForbiddenXml"));
    }

    private static ByteArrayContent Xml(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/xml");
        return content;
    }
}
