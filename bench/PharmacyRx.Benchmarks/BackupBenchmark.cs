using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Testing;

namespace PharmacyRx.Benchmarks;

/// <summary>
/// The daily backup of a large database while ingest runs (1311.205(b)(17)): the ingest rate while the online backup
/// copies the file, next to the ingest rate without a backup, in the same run.
/// </summary>
internal static class BackupBenchmark
{
    public static async Task RunAsync(string folder, int prescriptions, int inFlight)
    {
        using var key = PharmacySigningKey.Generate("Benchmark Pharmacy", DateTimeOffset.UtcNow);
        await using var services = await BenchServices.OpenAsync(folder, key);
        Directory.CreateDirectory(Path.Combine(folder, "keys"));
        await SearchBenchmark.LoadSyntheticArchiveAsync(folder, prescriptions);
        var messages = Enumerable.Range(0, 300_000)
            .Select(i => new SyntheticNewRx { MessageId = $"BACKUP-BENCH-{i:D8}", PrescriberOrderNumber = $"ORD-BB-{i:D8}" }.ToBytes())
            .ToArray();
        await MeasureAsync(services, inFlight, messages.Length, i => messages[i]);
    }

    /// <summary>
    /// The ingest rate without a backup, then while the backup runs, of the messages <paramref name="message"/> makes (at most
    /// <paramref name="available"/>), over the services' database as it stands.
    /// </summary>
    public static async Task MeasureAsync(ServiceProvider services, int inFlight, int available, Func<int, byte[]> message)
    {
        var pipeline = services.GetRequiredService<ReceiptPipeline>();
        var next = -1;

        // Ingests until stop() says so; returns messages archived per second.
        async Task<(double Rate, int Count)> IngestAsync(Func<bool> stop)
        {
            var count = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(async () =>
            {
                while (!stop())
                {
                    var i = Interlocked.Increment(ref next);
                    if (i >= available)
                    {
                        return;
                    }
                    var result = await pipeline.ReceiveAsync(message(i), ReceiptSource.Bus("bench"), CancellationToken.None);
                    if (result.Status is PrescriptionStatus.Rejected or PrescriptionStatus.Invalid)
                    {
                        throw new InvalidOperationException($"unexpected {result.Status}");
                    }
                    Interlocked.Increment(ref count);
                }
            })));
            return (count / clock.Elapsed.TotalSeconds, count);
        }

        await IngestAsync(CountReached(4_000, () => next));
        var without = await IngestAsync(CountReached(64_000, () => next));

        var backupClock = Stopwatch.StartNew();
        var backup = Task.Run(() => services.GetRequiredService<BackupService>().RunAsync("bench", CancellationToken.None));
        // Measured while the backup runs: until it completes, or until the messages run out (then all of them ran during the backup).
        var during = await IngestAsync(() => backup.IsCompleted);
        var outlasted = !backup.IsCompleted;
        var path = await backup;
        var took = backupClock.Elapsed;
        var bytes = new FileInfo(Path.Combine(path, "pharmacyrx.db")).Length;

        Console.WriteLine();
        Console.WriteLine($"backup of {bytes / 1e9:N2} GB (online copy, integrity check, SHA-256, signed manifest): {took.TotalSeconds:N1} s");
        Console.WriteLine($"{"ingest without a backup (" + without.Count + " messages)",-52} {without.Rate,12:N0}/s");
        Console.WriteLine($"{"ingest while the backup runs (" + during.Count + " messages" + (outlasted ? ", all of them" : "") + ")",-52} {during.Rate,12:N0}/s");
        Console.WriteLine($"during / without: {during.Rate / without.Rate:P0}  (goal: >= 70%)");
        Directory.Delete(path, recursive: true);
    }

    private static Func<bool> CountReached(int count, Func<int> next) => () => next() >= count;
}
