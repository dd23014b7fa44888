using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PharmacyRx.Benchmarks;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Testing;

// Ingest throughput of signed-indicator NewRx messages through the receipt pipeline into SQLite
// (WAL, synchronous=FULL), next to the raw SQLite insert rate of the same bytes in the same run; practitioner-signature
// verification next to bare RSA-2048 verify, and ingest of signed messages.
//   dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- [messages] [in-flight]
// Every mode takes --data DIR: the folder its databases go in (default: the temporary folder), e.g. /dev/shm for a
// memory-backed disk next to the normal one.
var dataOption = Array.IndexOf(args, "--data");
var root = Path.Combine(dataOption >= 0 && dataOption + 1 < args.Length ? Path.GetFullPath(args[dataOption + 1]) : Path.GetTempPath(), "pharmacyrx-bench");
if (dataOption >= 0)
{
    args = args.Where((_, i) => i != dataOption && i != dataOption + 1).ToArray();
}

if (args is ["ingest", ..])
{
    // Raw insert and pipeline ingest in turns, the writer alone with and without the name indexes, and the profile split:
    //   dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- ingest [messages] [rounds] [--data DIR]
    var ingestCount = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 60_000;
    // PHARMACYRX_BENCH_KEEP=DIR keeps the databases there, to look at their pages and query plans afterwards.
    var keepIngest = Environment.GetEnvironmentVariable("PHARMACYRX_BENCH_KEEP");
    var ingestFolder = string.IsNullOrEmpty(keepIngest) ? Path.Combine(root, Guid.NewGuid().ToString("N")) : keepIngest;
    try
    {
        await IngestBenchmark.RunAsync(ingestFolder, Messages(ingestCount), args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3, 256);
    }
    finally
    {
        SqliteConnection.ClearAllPools();
        if (string.IsNullOrEmpty(keepIngest))
        {
            Directory.Delete(ingestFolder, recursive: true);
        }
    }
    return;
}

if (args is ["backup", ..])
{
    // The daily backup of a large database while ingest runs: dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- backup [prescriptions]
    var backupFolder = Path.Combine(root, Guid.NewGuid().ToString("N"));
    try
    {
        await BackupBenchmark.RunAsync(backupFolder, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_400_000, 256);
    }
    finally
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(backupFolder, recursive: true);
    }
    return;
}

if (args is ["export-one", var exportFolder, var exportFormat, var exportSort, var exportOutput])
{
    await ExportBenchmark.ExportOneAsync(exportFolder, exportFormat, exportSort, exportOutput);
    return;
}

if (args is ["export", ..])
{
    // Inspector exports of 1,000,000 dispensings: dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- export [prescriptions]
    // PHARMACYRX_BENCH_KEEP=DIR keeps the synthetic data folder there, to look at its query plans afterwards.
    var keep = Environment.GetEnvironmentVariable("PHARMACYRX_BENCH_KEEP");
    var exportData = string.IsNullOrEmpty(keep) ? Path.Combine(root, Guid.NewGuid().ToString("N")) : keep;
    try
    {
        await ExportBenchmark.RunAsync(exportData, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 500_000);
    }
    finally
    {
        SqliteConnection.ClearAllPools();
        if (string.IsNullOrEmpty(keep))
        {
            Directory.Delete(exportData, recursive: true);
        }
    }
    return;
}

if (args is ["verify", ..])
{
    // verify over a large archive: dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- verify [records]
    var verifyFolder = Path.Combine(root, Guid.NewGuid().ToString("N"));
    try
    {
        await VerifyBenchmark.RunAsync(verifyFolder, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000, 256);
    }
    finally
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(verifyFolder, recursive: true);
    }
    return;
}

if (args is ["scale", var scaleStep, var scaleSize, ..])
{
    // A chain's archive at scale, kept between steps in --data DIR (default: the temporary folder):
    //   dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- scale generate 1000000 --data /work/bench-data
    //   dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- scale verify 1000000 --data /work/bench-data      # full
    //   dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- scale since-head 1000000 --data /work/bench-data  # 10,000 new, then --since-head
    //   dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- scale pages 1000000 --data /work/bench-data       # console, search, CSV export
    //   dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- scale backup 1000000 --data /work/bench-data      # backup while ingest runs
    //   dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- scale delete 1000000 --data /work/bench-data
    // A set grown in steps keeps one two-year spread: generate 1000000 --spread-over 5000000, then grow 1000000 2000000 --spread-over 5000000.
    var prescriptions = int.Parse(scaleSize, System.Globalization.CultureInfo.InvariantCulture);
    var spreadOption = Array.IndexOf(args, "--spread-over");
    var spreadOver = spreadOption >= 0 ? int.Parse(args[spreadOption + 1], System.Globalization.CultureInfo.InvariantCulture) : prescriptions;
    var scaleFolder = ScaleBenchmark.FolderOf(root, prescriptions);
    try
    {
        switch (scaleStep)
        {
            case "generate":
                await ScaleBenchmark.GenerateAsync(scaleFolder, prescriptions, spreadOver);
                break;
            case "grow":
                var grownTo = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
                spreadOver = spreadOption >= 0 ? spreadOver : grownTo;
                await ScaleBenchmark.GrowAsync(scaleFolder, ScaleBenchmark.FolderOf(root, grownTo), prescriptions, grownTo, spreadOver);
                break;
            case "verify":
                await ScaleBenchmark.VerifyAsync(scaleFolder);
                break;
            case "since-head":
                await ScaleBenchmark.SinceHeadAsync(scaleFolder, prescriptions);
                break;
            case "pages":
                await ScaleBenchmark.PagesAndExportAsync(scaleFolder);
                break;
            case "export":
                await ScaleBenchmark.ExportAsync(scaleFolder);
                break;
            case "queue":
                await ScaleBenchmark.QueueAsync(scaleFolder);
                break;
            case "search":
                await ScaleBenchmark.SearchAsync(scaleFolder);
                break;
            case "backup":
                await ScaleBenchmark.BackupAsync(scaleFolder);
                break;
            case "trail":
                await ScaleBenchmark.TrailAsync(scaleFolder);
                break;
            case "delete":
                Directory.Delete(scaleFolder, recursive: true);
                break;
            default:
                throw new ArgumentException($"scale {scaleStep}: generate, grow, verify, since-head, pages, export, queue, search, backup, trail or delete");
        }
    }
    finally
    {
        SqliteConnection.ClearAllPools();
    }
    return;
}

if (args is ["metrics", ..])
{
    // Ingest with and without the service's meters listened to and scraped, in turns in one run (docs/operations-metrics.md):
    //   dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- metrics [messages] [rounds]
    var metricsFolder = Path.Combine(root, Guid.NewGuid().ToString("N"));
    try
    {
        await MetricsBenchmark.RunAsync(metricsFolder, Messages(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000),
            args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3, 256);
    }
    finally
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(metricsFolder, recursive: true);
    }
    return;
}

if (args is ["coverage", ..])
{
    // Ingest with and without the audit chain's row coverage, alternately, in one run (pipeline, then archive writer alone):
    //   dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- coverage [messages]
    var coverageCount = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000;
    var coverageFolder = Path.Combine(root, Guid.NewGuid().ToString("N"));
    var coverageMessages = Messages(coverageCount);
    try
    {
        await PipelineAsync(Path.Combine(coverageFolder, "warm"), coverageMessages.Take(4_000).ToArray(), 256);
        var with = new List<double>();
        var without = new List<double>();
        var writerWith = new List<double>();
        var writerWithout = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            without.Add(await WithoutCoverageAsync(Path.Combine(coverageFolder, $"without-{round}"), coverageMessages, 256, PipelineAsync));
            with.Add(await PipelineAsync(Path.Combine(coverageFolder, $"with-{round}"), coverageMessages, 256));
        }
        for (var round = 0; round < 3; round++)
        {
            writerWithout.Add(await WithoutCoverageAsync(Path.Combine(coverageFolder, $"writer-without-{round}"), coverageMessages, 256, WriterOnlyAsync));
            writerWith.Add(await WriterOnlyAsync(Path.Combine(coverageFolder, $"writer-with-{round}"), coverageMessages, 256));
        }
        Console.WriteLine();
        Console.WriteLine($"pipeline ingest with coverage, per second (3 rounds):    {Rates(with)}");
        Console.WriteLine($"pipeline ingest without coverage, per second (3 rounds): {Rates(without)}");
        Console.WriteLine($"archive writer alone with coverage (3 rounds):           {Rates(writerWith)}");
        Console.WriteLine($"archive writer alone without coverage (3 rounds):        {Rates(writerWithout)}");
        Console.WriteLine($"pipeline with / without, median: {Median(with) / Median(without):P0}  (goal: >= 90%); " +
            $"archive writer alone: {Median(writerWith) / Median(writerWithout):P0}");
    }
    finally
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(coverageFolder, recursive: true);
    }
    return;
}

if (args is ["console", ..])
{
    // The console's queue and search pages over a large archive: dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- console [prescriptions]
    var consoleFolder = Path.Combine(Path.GetTempPath(), "pharmacyrx-bench", Guid.NewGuid().ToString("N"));
    try
    {
        await ConsoleBenchmark.RunAsync(consoleFolder, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    }
    finally
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(consoleFolder, recursive: true);
    }
    return;
}

if (args is ["search", ..])
{
    // Retrieval latency over a large archive: dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- search [prescriptions]
    var searchFolder = Path.Combine(root, Guid.NewGuid().ToString("N"));
    try
    {
        await SearchBenchmark.RunAsync(searchFolder, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    }
    finally
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(searchFolder, recursive: true);
    }
    return;
}

var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 60_000;
var inFlight = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 256;
var batchSize = new ArchiveWriterOptions().MaxBatchSize;
var folder = Path.Combine(root, Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(folder);

var messages = Messages(count);
Console.WriteLine($"{count:N0} signed-indicator NewRx messages, {messages.Average(m => m.Length):N0} bytes each; {Environment.ProcessorCount} cores");

try
{
    // Steady state, not start-up: one untimed round of each path first, so both run tiered-up JIT code.
    var warmUp = messages.Take(Math.Min(4_000, count)).ToArray();
    await RawInsertAsync(Path.Combine(folder, "warm-raw.db"), warmUp, batchSize);
    await PipelineAsync(Path.Combine(folder, "warm"), warmUp, inFlight);

    var raw = await RawInsertAsync(Path.Combine(folder, "raw.db"), messages, batchSize);
    var pipelineRun = await IngestBenchmark.PipelineAsync(folder, messages, inFlight);
    var pipeline = pipelineRun.Rate;
    var withoutCoverage = await WithoutCoverageAsync(Path.Combine(folder, "without-coverage"), messages, inFlight, PipelineAsync);
    var writerRun = await IngestBenchmark.WriterOnlyAsync(Path.Combine(folder, "writer"), messages, inFlight);
    var writerOnly = writerRun.Rate;
    var (sign, read) = Parts(messages);
    var signed = await VerificationBenchmark.RunAsync(Path.Combine(folder, "signed"), Math.Min(20_000, count), inFlight);

    // Through the running service: MassTransit in-memory, and RabbitMQ when a broker is named (scripts/bench.sh starts one).
    var busMessages = messages.Take(Math.Min(20_000, count)).ToArray();
    await BusBenchmark.InMemoryAsync(Path.Combine(folder, "warm-bus"), warmUp, inFlight);
    var inMemoryBus = await BusBenchmark.InMemoryAsync(Path.Combine(folder, "bus"), busMessages, inFlight);
    var broker = Environment.GetEnvironmentVariable("PHARMACYRX_BENCH_RABBITMQ");
    double? rabbitMq = null;
    if (!string.IsNullOrEmpty(broker))
    {
        await BusBenchmark.RabbitMqAsync(Path.Combine(folder, "warm-rabbitmq"), warmUp, inFlight, broker);
        rabbitMq = await BusBenchmark.RabbitMqAsync(Path.Combine(folder, "rabbitmq"), busMessages, inFlight, broker);
    }

    Console.WriteLine();
    Console.WriteLine($"{"operation",-52} {"per second",12}");
    Console.WriteLine($"{"raw SQLite insert of the same bytes (" + batchSize + " per commit)",-52} {raw,12:N0}");
    Console.WriteLine($"{"pipeline ingest, end to end (" + inFlight + " in flight)",-52} {pipeline,12:N0}");
    Console.WriteLine($"{"  the same without coverage (benchmark switch)",-52} {withoutCoverage,12:N0}");
    Console.WriteLine($"{"  archive writer alone, entries already sealed",-52} {writerOnly,12:N0}");
    Console.WriteLine($"{"  of which: SCRIPT read, one core",-52} {read,12:N0}");
    Console.WriteLine($"{"  of which: ECDSA P-256 receipt signature, one core",-52} {sign,12:N0}");
    Console.WriteLine($"{"bare RSA-2048 PKCS#1 verify, platform, one core",-52} {signed.BareRsaVerify,12:N0}");
    Console.WriteLine($"{"pipeline's verifier, warm cache, one core",-52} {signed.PipelineVerifier,12:N0}");
    Console.WriteLine($"{"signed ingest, end to end (" + signed.SignedMessages + " RSA-2048 signed)",-52} {signed.SignedIngest,12:N0}");
    Console.WriteLine($"{"service, in-memory bus (" + busMessages.Length + " messages)",-52} {inMemoryBus,12:N0}");
    Console.WriteLine(rabbitMq is { } viaBroker
        ? $"{"service, RabbitMQ raw inbound, persistent + confirms",-52} {viaBroker,12:N0}"
        : "service, RabbitMQ: not measured (set PHARMACYRX_BENCH_RABBITMQ=host:port, or run scripts/bench.sh)");
    Console.WriteLine();
    Console.WriteLine($"pipeline / raw insert: {pipeline / raw:P0}  (goal: >= 5,000 messages/s and >= 30%)");
    Console.WriteLine($"pipeline with / without coverage: {pipeline / withoutCoverage:P0}  (goal: >= 90%)");
    Console.WriteLine($"verifier / bare RSA verify: {signed.PipelineVerifier / signed.BareRsaVerify:P0}  (goal: >= 50%); signed ingest goal: >= 4,000 messages/s");
    if (rabbitMq is { } measured)
    {
        Console.WriteLine($"RabbitMQ / in-memory bus: {measured / inMemoryBus:P0}  (goal: >= 3,000 messages/s and >= 50%)");
    }
    IngestBenchmark.PrintParallelStages(messages);
    IngestBenchmark.PrintWriter("archive writer's thread during pipeline ingest", pipelineRun);
    IngestBenchmark.PrintWriter("archive writer alone", writerRun);
}
finally
{
    SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

static Task<double> RawInsertAsync(string path, byte[][] messages, int batchSize) => IngestBenchmark.RawInsertAsync(path, messages, batchSize);

static async Task<double> PipelineAsync(string folder, byte[][] messages, int inFlight)
{
    var run = await IngestBenchmark.PipelineAsync(folder, messages, inFlight);
    Console.WriteLine($"pipeline: {run.Messages:N0} records archived in {run.Commits:N0} commits");
    return run.Rate;
}

static byte[][] Messages(int count) => Enumerable.Range(0, count)
    .Select(i => new SyntheticNewRx { MessageId = $"BENCH-{i:D8}", PrescriberOrderNumber = $"ORD-{i:D8}" }.ToBytes())
    .ToArray();

// A run with the audit chain's row coverage switched off: an internal switch only this benchmark sets, to show its cost.
static async Task<double> WithoutCoverageAsync(string folder, byte[][] messages, int inFlight, Func<string, byte[][], int, Task<double>> run)
{
    PharmacyRx.Storage.Audit.CoverageTriggers.DisabledForBenchmark = true;
    try
    {
        return await run(folder, messages, inFlight);
    }
    finally
    {
        PharmacyRx.Storage.Audit.CoverageTriggers.DisabledForBenchmark = false;
    }
}

static double Median(List<double> rates) => rates.Order().ElementAt(rates.Count / 2);

static string Rates(List<double> rates) => string.Join("  ", rates.Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));

static async Task<double> WriterOnlyAsync(string folder, byte[][] messages, int inFlight) =>
    (await IngestBenchmark.WriterOnlyAsync(folder, messages, inFlight)).Rate;

static (double Sign, double Read) Parts(byte[][] messages)
{
    using var key = PharmacySigningKey.Generate("Benchmark Pharmacy", DateTimeOffset.UtcNow);
    var sample = messages.Take(5_000).ToArray();
    var clock = Stopwatch.StartNew();
    foreach (var message in sample)
    {
        key.Sign(message);
    }
    var sign = sample.Length / clock.Elapsed.TotalSeconds;
    var reader = new ScriptMessageReader();
    clock.Restart();
    foreach (var message in sample)
    {
        reader.Read(message);
    }
    return (sign, sample.Length / clock.Elapsed.TotalSeconds);
}
