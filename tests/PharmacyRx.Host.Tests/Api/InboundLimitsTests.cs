using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// At the inbound door: a body over the cap is archived only in part and refused; bodies are
/// streamed, not held; a sender or address over its rate is slowed down. Real HTTP on loopback.
/// </summary>
public class InboundLimitsTests
{
    private const int KeptBytes = 64 * 1024;

    [Test]
    public async Task A_body_over_the_cap_is_archived_as_TooLarge_with_its_hash_length_and_first_64_KiB_then_refused()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var key = await pharmacy.AddSenderAsync("gateway");
        await using var service = await RunningService.StartAsync(pharmacy,
            builder => builder.Configuration["Receiving:MaxAcceptedBytes"] = "100000");
        using var http = service.Client(key);
        var body = RandomNumberGenerator.GetBytes(300_000);

        using var response = await http.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(body));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var record = await RecordAsync(pharmacy, problem.GetProperty("receiptId").GetString()!);
        Assert.That(record.Status, Is.EqualTo("Rejected"));
        Assert.That(record.ReasonCode, Is.EqualTo("TooLarge"));
        Assert.That(record.AsReceived, Is.EqualTo(body[..KeptBytes]), "only the first 64 KiB, never the whole");
        Assert.That(record.Reason, Does.Contain("300000 bytes").And.Contain(Convert.ToHexStringLower(SHA256.HashData(body))));
        var verify = await pharmacy.RunAsync("verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
    }

    [Test]
    public async Task A_sender_over_its_rate_gets_429_with_Retry_After_audited_once_per_window()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var key = await pharmacy.AddSenderAsync("gateway");
        var other = await pharmacy.AddSenderAsync("other");
        await using var service = await RunningService.StartAsync(pharmacy, builder =>
        {
            builder.Configuration["Inbound:PermitsPerSecond"] = "1";
            builder.Configuration["Inbound:Burst"] = "2";
        });
        using var http = service.Client(key);
        using var otherHttp = service.Client(other);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await http.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(new SyntheticNewRx { MessageId = $"RATE-{i}" }.ToBytes())));
        }
        using var otherAnswer = await otherHttp.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(new SyntheticNewRx { MessageId = "OTHER-1" }.ToBytes()));

        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.That(limited, Has.Count.GreaterThanOrEqualTo(3));
        Assert.That(limited.Select(a => a.Headers.RetryAfter?.Delta), Has.All.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(otherAnswer.StatusCode, Is.EqualTo(HttpStatusCode.Created), "each sender has its own partition");
        var audit = await service.Services.GetRequiredService<AuditLog>().ReadAllAsync(CancellationToken.None).ToListAsync();
        var events = audit.Where(e => e.Event.Type == AuditEventTypes.InboundRateLimited).ToList();
        Assert.That(events, Has.Count.EqualTo(1), "once per window, not per request");
        Assert.That(events[0].Event.Actor, Is.EqualTo("sender:gateway"));
        answers.ForEach(a => a.Dispose());
    }

    // With a Content-Length, and chunked (no length: the body is spilled past its first MiB until it is known to fit).
    [TestCase(true, TestName = "Sixteen_concurrent_16_MiB_posts_add_under_128_MiB_and_are_each_archived_as_TooLarge")]
    [TestCase(false, TestName = "Sixteen_concurrent_chunked_16_MiB_posts_without_a_length_add_under_128_MiB_and_are_each_archived_as_TooLarge")]
    public async Task Sixteen_concurrent_16_MiB_posts_add_under_128_MiB(bool declaredLength)
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var key = await pharmacy.AddSenderAsync("gateway");
        await using var service = await RunningService.StartAsync(pharmacy);
        using var http = service.Client(key);
        http.Timeout = TimeSpan.FromSeconds(120);
        const long size = 16L * 1024 * 1024 + 1;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        var sampler = PeakRss.Start();
        var posts = Enumerable.Range(0, 16).Select(async i =>
        {
            using var content = new StreamContent(new PatternStream(size, (byte)i));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/xml");
            if (declaredLength)
            {
                content.Headers.ContentLength = size;
            }
            using var response = await http.PostAsync("/api/inbound", content);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return (response.StatusCode, ReceiptId: problem.GetProperty("receiptId").GetString()!);
        }).ToArray();
        var results = await Task.WhenAll(posts).WaitAsync(TimeSpan.FromMinutes(3));
        var peak = await sampler.StopAsync();

        // Growth over the process as it was before the posts, as in the anonymous case below: the test process also holds
        // whatever earlier tests loaded (a whole run's suite had it at 400 MiB before these posts began). Buffered whole,
        // the bodies alone would be 16 × 16 MiB = 256 MiB.
        var growth = peak - sampler.Baseline;
        TestContext.Out.WriteLine($"RSS before {sampler.Baseline / (1024 * 1024)} MiB, peak {peak / (1024 * 1024)} MiB");
        Assert.That(growth, Is.LessThan(128L * 1024 * 1024), "each body is kept to its first bytes and the rest is not held");
        Assert.That(results.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        for (var i = 0; i < results.Length; i++)
        {
            var record = await RecordAsync(pharmacy, results[i].ReceiptId);
            Assert.That(record.ReasonCode, Is.EqualTo("TooLarge"));
            Assert.That(record.AsReceived, Is.EqualTo(PatternStream.Prefix(KeptBytes, (byte)i)));
        }
        Assert.That(results.Select(r => r.ReceiptId).Distinct().Count(), Is.EqualTo(16));
    }

    [Test]
    public async Task A_chunked_body_of_several_MiB_within_the_cap_is_archived_whole()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var key = await pharmacy.AddSenderAsync("gateway");
        await using var service = await RunningService.StartAsync(pharmacy);
        using var http = service.Client(key);
        var message = new SyntheticNewRx { MessageId = "CHUNKED-1" }.ToBytes();
        var padded = message.Concat(System.Text.Encoding.ASCII.GetBytes("<!--" + new string('x', 3 * 1024 * 1024) + "-->\n")).ToArray();

        using var content = new StreamContent(new NonSeekable(padded));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/xml");
        using var response = await http.PostAsync("/api/inbound", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        Assert.That(response.RequestMessage!.Content!.Headers.ContentLength, Is.Null, "sent chunked");
        var receiptId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("receiptId").GetString()!;
        Assert.That((await RecordAsync(pharmacy, receiptId)).AsReceived, Is.EqualTo(padded));
        Assert.That(Directory.Exists(pharmacy.Data.InboundSpillFolder) ? Directory.EnumerateFiles(pharmacy.Data.InboundSpillFolder) : [], Is.Empty);
    }

    [Test]
    public async Task Sixteen_concurrent_anonymous_28_MB_login_bodies_grow_the_process_by_under_256_MiB()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await using var service = await RunningService.StartAsync(pharmacy);
        using var http = service.Client();
        http.Timeout = TimeSpan.FromSeconds(120);
        const long size = 28L * 1024 * 1024;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        var sampler = PeakRss.Start();
        var posts = Enumerable.Range(0, 16).Select(async i =>
        {
            // Chunked (no Content-Length): one JSON string of 28 MB as the login name.
            using var content = new StreamContent(new LongJsonStringStream("{\"userName\":\"", size, "\",\"password\":\"x\"}"));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            try
            {
                using var response = await http.PostAsync("/api/sessions", content);
                return response.StatusCode;
            }
            catch (HttpRequestException)
            {
                return HttpStatusCode.RequestEntityTooLarge; // the server closed the connection on a body over its cap
            }
        }).ToArray();
        var answers = await Task.WhenAll(posts).WaitAsync(TimeSpan.FromMinutes(3));
        var peak = await sampler.StopAsync();

        // Growth over the process as it was before the posts: the test process also holds whatever earlier tests loaded.
        // Buffered whole, the bodies alone would be 16 × 28 MB = 448 MB.
        var growth = peak - sampler.Baseline;
        TestContext.Out.WriteLine($"RSS before {sampler.Baseline / (1024 * 1024)} MiB, peak {peak / (1024 * 1024)} MiB");
        Assert.That(answers, Has.None.EqualTo(HttpStatusCode.OK));
        Assert.That(growth, Is.LessThan(256L * 1024 * 1024), "an anonymous body is capped before it is parsed");
    }

    /// <summary>The process's peak resident set size, sampled every 20 ms from /proc/self/status until stopped.</summary>
    private sealed class PeakRss
    {
        private volatile bool _stopped;
        private long _peak;
        private Task? _sampling;

        /// <summary>The resident set size when sampling started.</summary>
        public long Baseline { get; private init; }

        public static PeakRss Start()
        {
            var sampler = new PeakRss { Baseline = RssBytes() };
            sampler._sampling = Task.Run(async () =>
            {
                while (!sampler._stopped)
                {
                    sampler._peak = Math.Max(sampler._peak, RssBytes());
                    await Task.Delay(20);
                }
            });
            return sampler;
        }

        public async Task<long> StopAsync()
        {
            _stopped = true;
            await _sampling!;
            return _peak;
        }

        private static long RssBytes()
        {
            var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
    }

    private sealed record Row(string Status, string ReasonCode, string Reason, byte[] AsReceived);

    private static async Task<Row> RecordAsync(InstalledPharmacy pharmacy, string receiptId)
    {
        await using var connection = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        return await connection.QuerySingleAsync<Row>(
            "SELECT status AS Status, reason_code AS ReasonCode, reason AS Reason, as_received AS AsReceived FROM prescription_archive WHERE receipt_id = @Id",
            new { Id = receiptId });
    }

    /// <summary>Bytes as a stream of unknown length, so HttpClient sends them chunked.</summary>
    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    /// <summary>A JSON body whose one string value is <paramref name="length"/> letters, made up as it is read.</summary>
    private sealed class LongJsonStringStream(string prefix, long length, string suffix) : Stream
    {
        private readonly byte[] _prefix = System.Text.Encoding.UTF8.GetBytes(prefix);
        private readonly byte[] _suffix = System.Text.Encoding.UTF8.GetBytes(suffix);
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => _prefix.Length + length + _suffix.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, Length - _position);
            for (var i = 0; i < n; i++)
            {
                var at = _position + i;
                buffer[offset + i] = at < _prefix.Length ? _prefix[at]
                    : at < _prefix.Length + length ? (byte)'a'
                    : _suffix[at - _prefix.Length - length];
            }
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A body of a given length made up as it is read, so the test itself holds none of it; its bytes depend on a seed.</summary>
    private sealed class PatternStream(long length, byte seed) : Stream
    {
        private long _position;

        public static byte[] Prefix(int count, byte seed)
        {
            var bytes = new byte[count];
            using var stream = new PatternStream(count, seed);
            stream.ReadExactly(bytes);
            return bytes;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
            {
                buffer[offset + i] = (byte)((_position + i) * 31 + seed);
            }
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
