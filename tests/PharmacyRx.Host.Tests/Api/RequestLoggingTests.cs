using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Serilog.Core;
using Serilog.Events;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// Every HTTP request leaves one log line (method, route, status, elapsed) and no protected health information: the
/// query string, where searches carry patient names, never reaches the log.
/// </summary>
public class RequestLoggingTests
{
    private sealed class CapturedLog : ILogEventSink
    {
        public ConcurrentQueue<LogEvent> Events { get; } = new();

        public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);

        public string Text => string.Join('\n', Events.Select(e =>
            e.RenderMessage(CultureInfo.InvariantCulture) + " " + string.Join(' ', e.Properties.Select(p => $"{p.Key}={p.Value}"))
            + (e.Exception is null ? "" : " " + e.Exception)));
    }

    [Test]
    public async Task A_search_by_patient_name_is_logged_by_its_route_without_the_name()
    {
        var log = new CapturedLog();
        await using var pharmacy = await LoopbackPharmacy.StartAsync(builder => builder.Services.AddSingleton<ILogEventSink>(log));
        using var created = await pharmacy.CreateUserAsync(await pharmacy.SignedInAsync("admin"), "pharm1", "Pharmacist");
        var pharmacist = await pharmacy.SignedInAsync("pharm1");

        using var search = await pharmacist.GetAsync("/api/prescriptions?patient=Zebulonovich&prescriber=Quillfeather&sort=patient");
        var receipt = Guid.NewGuid();
        using var unknown = await pharmacist.GetAsync($"/api/prescriptions/{receipt}?patient=Zebulonovich");

        Assert.That(search.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var requests = await PrescriptionRequestsAsync(log, 2);
        var searchEvent = requests.Single(e => e.Properties["RequestPath"].ToString() == "\"/api/prescriptions\"");
        Assert.That(searchEvent.Properties["RequestMethod"].ToString(), Is.EqualTo("\"GET\""));
        Assert.That(searchEvent.Properties["StatusCode"].ToString(), Is.EqualTo("200"));
        Assert.That(searchEvent.Properties, Does.ContainKey("Elapsed"));
        var unknownEvent = requests.Single(e => e.Properties["StatusCode"].ToString() == "404");
        Assert.That(unknownEvent.Properties["RequestPath"].ToString(), Is.EqualTo("\"/api/prescriptions/{receiptId:guid}\""),
            "a route with a value is logged by its template");
        Assert.That(log.Text, Does.Not.Contain("Zebulonovich").And.Not.Contain("Quillfeather").And.Not.Contain("sort=")
            .And.Not.Contain(receipt.ToString()));
    }

    private static async Task<List<LogEvent>> PrescriptionRequestsAsync(CapturedLog log, int atLeast)
    {
        // The middleware writes its line as the response completes, which may be just after the client has it.
        for (var i = 0; i < 100; i++)
        {
            var requests = log.Events
                .Where(e => e.Properties.ContainsKey("StatusCode") && e.Properties.TryGetValue("RequestPath", out var path)
                    && path.ToString().StartsWith("\"/api/prescriptions", StringComparison.Ordinal))
                .ToList();
            if (requests.Count >= atLeast)
            {
                return requests;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"fewer than {atLeast} request log events: {log.Text}");
        return [];
    }
}
