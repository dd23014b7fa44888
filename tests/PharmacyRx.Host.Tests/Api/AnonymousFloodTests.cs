using System.Net;
using System.Net.Sockets;
using Dapper;
using Microsoft.Data.Sqlite;
using PharmacyRx.Host.Access;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// A flood of requests without credentials from rotating source addresses (127.0.0.0/8 is all loopback), over real
/// HTTP: the audit trail gets one event per window and address group with the count, and past the window's cap the
/// answer is 429.
/// </summary>
public class AnonymousFloodTests
{
    private const int Requests = 3_000;
    private const int Groups = 300;

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task A_flood_from_rotating_addresses_adds_at_most_one_event_per_group_and_window_and_every_refusal_is_counted()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var answers = new Dictionary<HttpStatusCode, int>();
        await using (var service = await RunningService.StartAsync(pharmacy, builder =>
        {
            // One window for the whole flood, so the bound is exact: GroupsPerWindow named groups and one for the rest.
            builder.Configuration["Anonymous:Window"] = "01:00:00";
            builder.Configuration["Anonymous:RefusalsPerWindow"] = "1000";
            builder.Configuration["Anonymous:GroupsPerWindow"] = "20";
        }))
        {
            var next = -1;
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    // Each connection from another address: 300 /24 groups, ten addresses in each.
                    var i = Interlocked.Increment(ref next);
                    var group = i % Groups;
                    var source = new IPAddress([127, (byte)(1 + group / 256), (byte)(group % 256), (byte)(1 + i / Groups % 10)]);
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        socket.Bind(new IPEndPoint(source, 0));
                        await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            using var http = new HttpClient(handler) { BaseAddress = service.BaseAddress };
            var body = new SyntheticNewRx { MessageId = "ANON-FLOOD" }.ToBytes();
            var statuses = await Task.WhenAll(Enumerable.Range(0, 16).Select(async worker =>
            {
                var seen = new List<HttpStatusCode>();
                for (var i = worker; i < Requests; i += 16)
                {
                    using var request = i % 2 == 0
                        ? new HttpRequestMessage(HttpMethod.Post, "/api/inbound") { Content = SenderAuthenticationTests.Xml(body) }
                        : new HttpRequestMessage(HttpMethod.Get, "/api/prescriptions");
                    request.Headers.ConnectionClose = true;
                    using var response = await http.SendAsync(request);
                    seen.Add(response.StatusCode);
                }
                return seen;
            }));
            foreach (var status in statuses.SelectMany(s => s))
            {
                answers[status] = answers.GetValueOrDefault(status) + 1;
            }
        }

        // The service has stopped: the window's summary was written as it stopped.
        await using var connection = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        var events = (await connection.QueryAsync<string>(
            "SELECT details FROM audit_events WHERE event_type IN ('UnauthorizedAccessAttempt', 'InboundRateLimited') AND actor = 'anonymous'")).ToList();
        Assert.That(answers.Keys, Is.SubsetOf(new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }), string.Join(", ", answers));
        Assert.That(answers.GetValueOrDefault(HttpStatusCode.Unauthorized), Is.LessThanOrEqualTo(1000), "no more 401s than the window's cap");
        Assert.That(answers.GetValueOrDefault(HttpStatusCode.TooManyRequests), Is.GreaterThanOrEqualTo(Requests - 1000), "429 past the cap");
        Assert.That(events, Has.Count.LessThanOrEqualTo(21), "one event per window and group: 20 groups named, the rest in one");
        Assert.That(events.Sum(Refused), Is.EqualTo(Requests), "every refusal is counted in a summary");
        Assert.That(events, Has.One.Contains("group=other (280 more groups)"));
        Assert.That(events, Has.Some.Contains("group=127.1.0.0/24"));
    }

    [TestCase("203.0.113.77", "203.0.113.0/24")]
    [TestCase("::ffff:203.0.113.77", "203.0.113.0/24")]
    [TestCase("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [TestCase("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64")]
    public void Addresses_are_grouped_by_IPv4_24_and_IPv6_64(string address, string group)
    {
        Assert.That(AnonymousRefusals.Group(IPAddress.Parse(address)), Is.EqualTo(group));
    }

    private static long Refused(string details) =>
        long.Parse(details.Split("; ").Single(p => p.StartsWith("refused=", StringComparison.Ordinal))["refused=".Length..], System.Globalization.CultureInfo.InvariantCulture);
}
