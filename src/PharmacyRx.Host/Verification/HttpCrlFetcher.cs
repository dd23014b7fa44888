using System.Collections.Concurrent;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Verification;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Verification;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace PharmacyRx.Host.Verification;

/// <summary>
/// Fetches CRLs over HTTP (1311.210(c)(2)) through Polly: per-attempt timeout, jittered back-off and a per-host circuit
/// breaker, so a broken server costs one bounded wait, then fails fast; one fetch per URL at once. A fetch is stored
/// and audited; a failed one as interference (1311.215(a)(3)), unless the circuit was open.
/// </summary>
public sealed partial class HttpCrlFetcher(
    HttpClient http, VerificationOptions options, CrlStore store, AuditLog audit, TimeProvider time, ILogger<HttpCrlFetcher> logger)
    : ICrlFetcher, IDisposable
{
    public const string Actor = "system:crl-fetch";

    private readonly ConcurrentDictionary<string, ResiliencePipeline> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<Uri, Lazy<Task<CrlFetchResult>>> _inFlight = new();

    public async Task<CrlFetchResult> FetchAsync(IReadOnlyList<Uri> distributionPoints, CancellationToken cancellationToken)
    {
        var reasons = new List<string>(distributionPoints.Count);
        foreach (var point in distributionPoints)
        {
            var fetch = _inFlight.GetOrAdd(point, uri => new Lazy<Task<CrlFetchResult>>(() => FetchOneAsync(uri)));
            CrlFetchResult result;
            try
            {
                result = await fetch.Value.WaitAsync(cancellationToken);
            }
            finally
            {
                if (fetch.IsValueCreated && fetch.Value.IsCompleted)
                {
                    _inFlight.TryRemove(new KeyValuePair<Uri, Lazy<Task<CrlFetchResult>>>(point, fetch));
                }
            }
            if (result.List is not null)
            {
                return result;
            }
            reasons.Add(result.Reason);
        }
        return CrlFetchResult.Failed(string.Join("; ", reasons));
    }

    // Runs to completion whatever the first caller's cancellation: other callers may be waiting on it.
    private async Task<CrlFetchResult> FetchOneAsync(Uri uri)
    {
        var pipeline = _hosts.GetOrAdd(uri.Authority, _ => Pipeline());
        string reason;
        try
        {
            var bytes = await pipeline.ExecuteAsync(async token => await DownloadAsync(uri, token), CancellationToken.None);
            if (RevocationList.TryParse(bytes, uri.ToString(), out var list, out var unreadable))
            {
                await store.AddAsync(list!, Actor, CancellationToken.None);
                return new CrlFetchResult(list, "");
            }
            reason = $"{uri} served no CRL ({unreadable})";
        }
        catch (BrokenCircuitException)
        {
            // Already audited when the circuit broke; fail fast without flooding the audit trail.
            return CrlFetchResult.Failed($"{uri}: fetching is paused after repeated failures of {uri.Authority}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or IOException or TaskCanceledException)
        {
            reason = $"{uri} could not be fetched ({(ex is TimeoutRejectedException ? $"no answer within {options.FetchTimeout.TotalSeconds:0.#} s" : ex.Message)})";
        }
        LogFetchFailed(logger, uri.ToString(), reason);
        await audit.AppendAsync(
            [new AuditEvent(time.GetUtcNow(), AuditEventTypes.CrlFetchFailed, Actor, AuditOutcome.Failure, uri.ToString(), reason)],
            CancellationToken.None);
        return CrlFetchResult.Failed(reason);
    }

    private async Task<byte[]> DownloadAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        if (response.Content.Headers.ContentLength > AlgorithmPolicy.MaximumCrlBytes)
        {
            throw new HttpRequestException($"the CRL is {response.Content.Headers.ContentLength} bytes; the limit is {AlgorithmPolicy.MaximumCrlBytes}");
        }
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > AlgorithmPolicy.MaximumCrlBytes)
            {
                throw new HttpRequestException($"the CRL is over {AlgorithmPolicy.MaximumCrlBytes} bytes");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private ResiliencePipeline Pipeline()
    {
        var transient = new PredicateBuilder()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .Handle<IOException>();
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.FetchRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = options.FetchRetries,
                Delay = options.FetchRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            });
        }
        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = 0.5,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromMinutes(1),
                BreakDuration = options.BreakDuration,
            })
            .AddTimeout(options.FetchTimeout)
            .Build();
    }

    /// <summary>The fetcher owns its client.</summary>
    public void Dispose() => http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "CRL fetch from {Uri} failed: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string uri, string reason);
}
