using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Testing;

namespace PharmacyRx.Benchmarks;

/// <summary>
/// <c>verify</c> over a large archive: records ingested through the pipeline (sealed, covered, audited as in service),
/// the head signed, then every record, status change, covered row, audit event and signed head re-checked; beside it, in
/// the same run, the bare rate of the same records' seal checks (ECDSA P-256 through the platform) on every core.
/// </summary>
internal static class VerifyBenchmark
{
    // Seals checked bare, after verify: a sample of the same records, their seal contents made beforehand.
    private const int BareSample = 100_000;

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
        await MeasureAsync(services, sinceHead: false);
    }

    /// <summary>
    /// One verify run over the services' data folder, its peak working set its own (the process's peak is reset first, where
    /// Linux allows), then the bare seal rate of the same records; a full run that holds is recorded as the service records it.
    /// </summary>
    public static async Task MeasureAsync(ServiceProvider services, bool sinceHead)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var peakReset = ResetPeakWorkingSet();
        var progress = new VerifyProgress();
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var verifier = services.GetRequiredService<ArchiveVerifier>();
        var verifying = Task.Run(() => verifier.VerifyAsync(progress, sinceHead, CancellationToken.None));
        while (await Task.WhenAny(verifying, Task.Delay(TimeSpan.FromSeconds(10))) != verifying)
        {
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  verify: {progress.Records:N0} of {progress.RecordsTotal:N0} records, {progress.AuditEvents:N0} of {progress.AuditEventsTotal:N0} audit events, {clock.Elapsed.TotalSeconds:N0} s"));
        }
        var report = await verifying;
        var seconds = clock.Elapsed.TotalSeconds;
        self.Refresh();
        var cpuSeconds = (self.TotalProcessorTime - cpu).TotalSeconds;
        var peak = self.PeakWorkingSet64;
        Console.WriteLine();
        Console.WriteLine($"verify {(sinceHead ? "--since-head" : "(full)")}: {report.Scope}");
        Console.WriteLine($"verify: {report.RecordsChecked:N0} records and {report.AuditEventsChecked:N0} audit events in {seconds:N1} s: " +
            $"{report.RecordsChecked / seconds:N0} records/s ({report.RecordsChecked / cpuSeconds:N0} per CPU-second); {report.Problems.Count} problems; peak working set {peak / (1 << 20):N0} MiB" +
            (peakReset ? "" : " (of the whole process: its peak could not be reset)"));
        foreach (var problem in report.Problems.Take(5))
        {
            Console.WriteLine($"  {problem}");
        }
        Console.WriteLine(report.Truncation);
        if (!sinceHead && report.AllHold && report.ProvenHead is { } proven)
        {
            await services.GetRequiredService<AuditLog>().AppendAsync(
                [new AuditEvent(DateTimeOffset.UtcNow, AuditEventTypes.ArchiveVerified, "bench", AuditOutcome.Success, "bench",
                    $"records={report.RecordsChecked}; auditEvents={report.AuditEventsChecked}; problems=0; pinned=False; {ArchiveVerifier.ProofDetails(proven)}")],
                CancellationToken.None);
        }
        if (!sinceHead)
        {
            var bare = await BareSealRateAsync(services);
            var rate = report.RecordsChecked / seconds;
            Console.WriteLine($"bare seal check (ECDSA P-256 verify, platform, {Environment.ProcessorCount} cores, {bare.Sample:N0} of the same records): " +
                $"{bare.Rate:N0} records/s ({bare.PerCpuSecond:N0} per CPU-second); verify / bare: {rate / bare.Rate:P0} " +
                $"(per CPU-second: {report.RecordsChecked / cpuSeconds / bare.PerCpuSecond:P0})  (goal: >= 80%, and >= 50,000 records/s if the seals allow it)");
            Console.WriteLine($"  of verify's CPU a record, beside its seal: records read, message re-read and signed elements: {bare.RereadMicroseconds:N0} µs");
        }
    }

    /// <summary>The seals of the archive's first records checked on every core with the key taken out once: nothing but the crypto.</summary>
    private static async Task<(double Rate, double PerCpuSecond, int Sample, double RereadMicroseconds)> BareSealRateAsync(ServiceProvider services)
    {
        using var self = Process.GetCurrentProcess();
        // Read and re-read on this thread alone (nothing else runs now): the process's CPU time is theirs.
        var reading = self.TotalProcessorTime;
        var reader = services.GetRequiredService<ScriptMessageReader>();
        var contents = new List<(byte[] Content, byte[] Seal)>();
        string? thumbprint = null;
        await foreach (var record in services.GetRequiredService<ArchiveQueries>().ReadAsReceivedAsync(CancellationToken.None))
        {
            var read = reader.Reread(record);
            var canonical = read.Message is { } message ? SignedElements.Format(message.Elements) : "";
            contents.Add((ReceiptSeal.Content(Guid.Parse(record.ReceiptId), ReceiptSeal.TryParseTimestamp(record.ReceivedAt, out var at) ? at : default,
                record.AsReceivedSha256, record.Status, record.ReasonCode, canonical), record.ReceiptSignature));
            thumbprint ??= record.SignerThumbprint;
            if (contents.Count == BareSample)
            {
                break;
            }
        }
        var certificate = services.GetRequiredService<Host.Keys.PharmacyKeyHistory>().CertificateFor(thumbprint!)!;
        var failed = 0;
        self.Refresh();
        var cpu = self.TotalProcessorTime;
        reading = cpu - reading;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, contents.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            () => certificate.GetECDsaPublicKey()!,
            (i, _, key) =>
            {
                if (!PharmacySigningKey.Verify(key, contents[i].Content, contents[i].Seal))
                {
                    Interlocked.Increment(ref failed);
                }
                return key;
            },
            key => key.Dispose());
        var rate = contents.Count / clock.Elapsed.TotalSeconds;
        self.Refresh();
        var perCpuSecond = contents.Count / (self.TotalProcessorTime - cpu).TotalSeconds;
        if (failed > 0)
        {
            Console.WriteLine($"  {failed} of the sample's seals did not verify bare");
        }
        return (rate, perCpuSecond, contents.Count, reading.TotalMicroseconds / contents.Count);
    }

    // Linux: writing 5 to clear_refs resets the peak resident set (VmHWM), so what follows is measured alone.
    private static bool ResetPeakWorkingSet()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
