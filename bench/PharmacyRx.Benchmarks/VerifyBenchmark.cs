using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Signing;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Testing;

namespace PharmacyRx.Benchmarks;

/// <summary>
/// <c>verify</c> over a large archive: records ingested through the pipeline (sealed, covered, audited as in service),
/// the head signed, then every record, status change, covered row, audit event and signed head re-checked.
/// </summary>
internal static class VerifyBenchmark
{
    public static async Task RunAsync(string folder, int records, int inFlight)
    {
        using var key = PharmacySigningKey.Generate("Benchmark Pharmacy", DateTimeOffset.UtcNow);
        // verify checks seals and heads with the certificates in keys/, as in an installed data folder.
        Directory.CreateDirectory(Path.Combine(folder, "keys"));
        await File.WriteAllTextAsync(Path.Combine(folder, "keys", "pharmacy.crt"), key.Certificate.ExportCertificatePem());
        await using var services = await BenchServices.OpenAsync(folder, key);
        var pipeline = services.GetRequiredService<ReceiptPipeline>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < records; i = Interlocked.Increment(ref next))
            {
                var message = new SyntheticNewRx { MessageId = $"VERIFY-{i:D8}", PrescriberOrderNumber = $"ORD-{i:D8}" }.ToBytes();
                await pipeline.ReceiveAsync(message, ReceiptSource.Bus("bench"), CancellationToken.None);
            }
        })));
        Console.WriteLine($"{records:N0} records ingested in {clock.Elapsed.TotalSeconds:N0} s ({records / clock.Elapsed.TotalSeconds:N0}/s)");
        await services.GetRequiredService<ChainHeads>().SignAsync(CancellationToken.None);

        clock.Restart();
        var report = await services.GetRequiredService<ArchiveVerifier>().VerifyAsync(CancellationToken.None);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine();
        Console.WriteLine($"verify: {report.RecordsChecked:N0} records and {report.AuditEventsChecked:N0} audit events in {seconds:N1} s: " +
            $"{report.RecordsChecked / seconds:N0} records/s; {report.Problems.Count} problems; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20):N0} MiB");
        Console.WriteLine(report.Truncation);
    }
}
