using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using PharmacyRx.Host.Operations;

namespace PharmacyRx.Benchmarks;

/// <summary>
/// What the meters cost ingest: pipeline ingest with no listener (the instruments record nothing) and with the service's
/// own metrics (the OpenTelemetry SDK over every meter /metrics exposes, a scrape every second where Prometheus is set to
/// every 15, the figures read at the service's default interval), in turns in one run, so both see the same machine and disk.
/// </summary>
internal static class MetricsBenchmark
{
    /// <summary><c>metrics [messages] [rounds]</c>.</summary>
    public static async Task RunAsync(string folder, byte[][] messages, int rounds, int inFlight)
    {
        Console.WriteLine($"{messages.Length:N0} signed-indicator NewRx messages, {inFlight} in flight, {Environment.ProcessorCount} cores; data folder {folder}");
        var warmUp = messages.Take(Math.Min(4_000, messages.Length)).ToArray();
        await IngestBenchmark.PipelineAsync(Path.Combine(folder, "warm-without"), warmUp, inFlight);
        await IngestBenchmark.PipelineAsync(Path.Combine(folder, "warm-with"), warmUp, inFlight, Listening);
        var without = new List<IngestBenchmark.Run>();
        var with = new List<IngestBenchmark.Run>();
        var scrapes = 0;
        for (var round = 1; round <= rounds; round++)
        {
            // Which goes first alternates, so a machine that slows down or speeds up during the run favours neither.
            foreach (var listened in round % 2 == 1 ? new[] { false, true } : [true, false])
            {
                var path = Path.Combine(folder, $"{(listened ? "with" : "without")}-{round}");
                if (listened)
                {
                    with.Add(await IngestBenchmark.PipelineAsync(path, messages, inFlight, services =>
                    {
                        var listening = (Listener)Listening(services);
                        listening.Scraped = () => Interlocked.Increment(ref scrapes);
                        return listening;
                    }));
                }
                else
                {
                    without.Add(await IngestBenchmark.PipelineAsync(path, messages, inFlight));
                }
            }
            Console.WriteLine($"round {round}: pipeline ingest without meters {without[^1].Rate,8:N0}/s   with meters {with[^1].Rate,8:N0}/s   " +
                $"ratio {with[^1].Rate / without[^1].Rate:P1}; CPU a message: without {without[^1].CpuPerMessage.TotalMicroseconds:N1} µs, " +
                $"with {with[^1].CpuPerMessage.TotalMicroseconds:N1} µs");
        }
        var rate = (Without: Median(without.Select(r => r.Rate)), With: Median(with.Select(r => r.Rate)));
        var cpu = (Without: Median(without.Select(r => r.CpuPerMessage.TotalMicroseconds)), With: Median(with.Select(r => r.CpuPerMessage.TotalMicroseconds)));
        Console.WriteLine();
        Console.WriteLine($"pipeline ingest, medians of {rounds} rounds: without meters {rate.Without:N0}/s, with meters {rate.With:N0}/s; " +
            $"with / without {rate.With / rate.Without:P1} (goal: >= 95%); {scrapes} scrapes during the measured rounds");
        // CPU time a message changes little when the machine is shared; the rate does.
        Console.WriteLine($"CPU a message (all threads), medians: without meters {cpu.Without:N1} µs, with meters {cpu.With:N1} µs; " +
            $"rate bound by CPU, with / without: {cpu.Without / cpu.With:P1}");
        Console.WriteLine($"figures read {Listener.FiguresReads} times, {Stopwatch.GetElapsedTime(0, Listener.FiguresTicks).TotalMilliseconds / Math.Max(1, Listener.FiguresReads):N1} ms each; " +
            $"scrapes {Stopwatch.GetElapsedTime(0, Listener.ScrapeTicks).TotalMilliseconds / Math.Max(1, scrapes):N2} ms each");
    }

    private static IAsyncDisposable Listening(IServiceProvider services) => new Listener(services);

    private static double Median(IEnumerable<double> values) => values.Order().ElementAt(values.Count() / 2);

    /// <summary>The service's meter provider and reader, scraped every second while ingest runs; the figures read as the service does.</summary>
    private sealed class Listener : IAsyncDisposable
    {
        // The service's default Operations:FiguresInterval, in scrapes of one second.
        private static readonly int FiguresEvery = (int)new OperationsOptions().FiguresInterval.TotalSeconds;

        private readonly PrometheusExposition _exposition = new();
        private readonly MeterProvider _provider;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _scraping;

        public Listener(IServiceProvider services)
        {
            _provider = Sdk.CreateMeterProviderBuilder().AddMeter([.. OperationsServices.Meters]).AddReader(_exposition.Reader).Build();
            services.GetRequiredService<OperationsMetrics>();
            var figures = services.GetRequiredService<OperationsFigures>();
            _scraping = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
                var tick = 0;
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    var started = Stopwatch.GetTimestamp();
                    if (tick++ % FiguresEvery == 0)
                    {
                        await figures.ReadAsync(_stop.Token);
                        Interlocked.Add(ref FiguresTicks, Stopwatch.GetTimestamp() - started);
                        Interlocked.Increment(ref FiguresReads);
                        started = Stopwatch.GetTimestamp();
                    }
                    _exposition.Collect(TimeSpan.FromSeconds(10));
                    Interlocked.Add(ref ScrapeTicks, Stopwatch.GetTimestamp() - started);
                    Scraped?.Invoke();
                }
            });
        }

        public Action? Scraped { get; set; }

        /// <summary>Over every listener of the run: the time the figures' reads and the scrapes took (wall clock).</summary>
        public static long FiguresTicks;
        public static long FiguresReads;
        public static long ScrapeTicks;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _scraping;
            }
            catch (OperationCanceledException)
            {
                // stopped between scrapes
            }
            _provider.Dispose();
            _exposition.Dispose();
            _stop.Dispose();
        }
    }
}
