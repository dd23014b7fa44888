using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage;
using PharmacyRx.Testing;
using PharmacyRx.Host.Keys;

namespace PharmacyRx.Benchmarks;

/// <summary>
/// A chain's archive at scale, written as the service writes it: prescriptions through the receipt pipeline (sealed,
/// covered, audited), messages of 3–6 KB, one in seven controlled (15%), and 1.5 dispensings a prescription on average,
/// inserted in large audited transactions so the chain covers them. The receipts are spread evenly over the two years
/// before the day of generation, as a chain's two years hold them (the pipeline's clock is the message's own moment), and
/// each fill follows its prescription. Generated once into a kept folder, then measured.
/// </summary>
internal static class ScaleBenchmark
{
    private const string KeyPassword = "benchmark-only-key-password";
    private const int InFlight = 256;
    private const int DispensingsPerTransaction = 20_000;

    /// <summary>How far back the data set's receipts reach.</summary>
    private static readonly TimeSpan Span = TimeSpan.FromDays(730);

    /// <summary>The receipt moment of message <paramref name="i"/> of <paramref name="total"/>: evenly over the two years before <paramref name="end"/>.</summary>
    private static DateTimeOffset ReceivedAt(int i, int total, DateTimeOffset end) => end - Span + Span * ((double)i / total);

    /// <summary>The kept folder of a data set of <paramref name="prescriptions"/>.</summary>
    public static string FolderOf(string root, int prescriptions) => Path.Combine(root, $"scale-{prescriptions}");

    /// <summary>
    /// A new data set of <paramref name="prescriptions"/>, its receipts spread over two years as if the whole set were
    /// <paramref name="spreadOver"/> (a set grown later keeps one spread).
    /// </summary>
    public static async Task GenerateAsync(string folder, int prescriptions, int spreadOver)
    {
        if (File.Exists(Path.Combine(folder, "pharmacyrx.db")))
        {
            throw new InvalidOperationException($"{folder} already holds a data set: delete it, or grow it");
        }
        Directory.CreateDirectory(Path.Combine(folder, "keys"));
        var end = DateTimeOffset.UtcNow;
        // The key was in service before the first receipt it seals.
        using (var key = PharmacySigningKey.Generate("Benchmark Pharmacy", end - Span - TimeSpan.FromDays(1)))
        {
            key.Save(Path.Combine(folder, "bench-key.pem"), Path.Combine(folder, "keys", "pharmacy.crt"), KeyPassword);
        }
        await File.WriteAllTextAsync(Path.Combine(folder, "spread-end.txt"), ReceiptSeal.FormatTimestamp(end));
        await AddAsync(folder, 0, prescriptions, spreadOver);
    }

    /// <summary>The data set of <paramref name="from"/> grown to <paramref name="to"/> prescriptions, in its new folder.</summary>
    public static async Task GrowAsync(string fromFolder, string toFolder, int from, int to, int spreadOver)
    {
        Directory.Move(fromFolder, toFolder);
        // Numbered after every message already there (a since-head run adds some): each new one is new.
        long held;
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(toFolder, "pharmacyrx.db")};Mode=ReadOnly;Pooling=False"))
        {
            held = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM prescription_archive");
        }
        Console.WriteLine($"growing {from:N0} to {to:N0}: {held:N0} messages held");
        await AddAsync(toFolder, (int)held, to - (int)held, spreadOver);
    }

    private static async Task AddAsync(string folder, int first, int count, int spreadOver)
    {
        var end = ReceiptSeal.TryParseTimestamp(await File.ReadAllTextAsync(Path.Combine(folder, "spread-end.txt")), out var at) ? at : DateTimeOffset.UtcNow;
        using var key = LoadKey(folder);
        await using var services = await BenchServices.OpenAsync(folder, key, time: MessageClock.Instance);
        var database = services.GetRequiredService<Database>();
        long before;
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            before = await connection.ExecuteScalarAsync<long?>("SELECT MAX(prescription_number) FROM prescriptions") ?? 0;
        }
        var clock = Stopwatch.StartNew();
        var ingested = await IngestAsync(services, first, count, clock, i => ReceivedAt(i, spreadOver, end));
        Console.WriteLine($"{ingested:N0} messages ingested through the pipeline in {clock.Elapsed.TotalSeconds:N0} s ({ingested / clock.Elapsed.TotalSeconds:N0}/s)");
        clock.Restart();
        var dispensed = await DispenseAsync(database, before);
        Console.WriteLine($"{dispensed:N0} dispensings recorded in {clock.Elapsed.TotalSeconds:N0} s");
        await services.GetRequiredService<ChainHeads>().SignAsync(CancellationToken.None);
        var size = new FileInfo(Path.Combine(folder, "pharmacyrx.db")).Length;
        Console.WriteLine($"data set: {first + count:N0} prescriptions (+{count:N0}), {dispensed:N0} dispensings added, database {size / 1e9:N2} GB, head signed");
    }

    /// <summary>verify in full: time, rate, peak working set, and the bare seal rate of the same records.</summary>
    public static async Task VerifyAsync(string folder)
    {
        using var key = LoadKey(folder);
        await using var services = await BenchServices.OpenAsync(folder, key);
        await VerifyBenchmark.MeasureAsync(services, sinceHead: false);
    }

    /// <summary>10,000 new messages through the pipeline, then verify --since-head (after a full run that proved a head).</summary>
    public static async Task SinceHeadAsync(string folder, int prescriptions)
    {
        using var key = LoadKey(folder);
        await using var services = await BenchServices.OpenAsync(folder, key);
        var clock = Stopwatch.StartNew();
        // Numbered after every message already there: each new one is new, not a duplicate.
        var first = (int)await services.GetRequiredService<Storage.Archive.ArchiveQueries>().CountAsync(CancellationToken.None);
        var added = await IngestAsync(services, first, 10_000, clock, receivedAt: null);
        Console.WriteLine($"{added:N0} new messages ingested in {clock.Elapsed.TotalSeconds:N1} s");
        await VerifyBenchmark.MeasureAsync(services, sinceHead: true);
    }

    /// <summary>
    /// The console's queue and search pages (p95), and the inspector's CSV export of every row (in a process of its own)
    /// beside the raw read of the same rows.
    /// </summary>
    public static async Task PagesAndExportAsync(string folder)
    {
        using (var key = LoadKey(folder))
        await using (var services = await BenchServices.OpenAsync(folder, key))
        {
            await ConsoleBenchmark.MeasureAsync(services, Pools.Surnames);
            await SearchBenchmark.MeasureAsync(services, Pools.Surnames, Pools.Prescribers, Pools.Drugs, DateTimeOffset.UtcNow - Span);
            var clock = Stopwatch.StartNew();
            var derived = await services.GetRequiredService<Storage.Prescriptions.PrescriptionDetails>().CatchUpAsync(CancellationToken.None);
            Console.WriteLine($"export details derived from the as-received records first (background upkeep in service): {derived:N0} in {clock.Elapsed.TotalSeconds:N0} s");
        }
        await ExportAsync(folder);
    }

    /// <summary>The inspector's CSV export of every row (in a process of its own) beside the raw read of the same rows.</summary>
    public static async Task ExportAsync(string folder)
    {
        // The details of a freshly generated set are derived first and timed apart (the service's background upkeep does
        // it as messages arrive): the export's figure is the export alone.
        using (var key = LoadKey(folder))
        await using (var services = await BenchServices.OpenAsync(folder, key))
        {
            var clock = Stopwatch.StartNew();
            var derived = await services.GetRequiredService<Storage.Prescriptions.PrescriptionDetails>().CatchUpAsync(CancellationToken.None);
            Console.WriteLine($"prescription details derived first (background upkeep in service): {derived:N0} in {clock.Elapsed.TotalSeconds:N0} s");
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var output = Path.Combine(folder, "export.csv");
        var parts = (await ExportBenchmark.RunChildAsync(folder, "csv", "date-filled", output)).Split('\t');
        File.Delete(output);
        var (rows, seconds) = (long.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
        Console.WriteLine();
        Console.WriteLine($"CSV export of every row by date filled: {rows:N0} rows in {seconds:N1} s ({rows / seconds:N0} rows/s), {double.Parse(parts[4], CultureInfo.InvariantCulture):N1} CPU-s; peak working set {long.Parse(parts[2], CultureInfo.InvariantCulture) / (1 << 20):N0} MiB");
        Console.WriteLine($"raw read of the same rows: {ExportBenchmark.RawRead(folder)}  (goal: export <= 1.5x the raw read)");
    }

    /// <summary>
    /// Search alone, without the pages' export: first the patient search rows of every prescription from before they
    /// existed (what an upgrade's background upkeep does, timed), then each retrieval key, names word by word among them.
    /// </summary>
    public static async Task SearchAsync(string folder)
    {
        using var key = LoadKey(folder);
        await using var services = await BenchServices.OpenAsync(folder, key);
        var clock = Stopwatch.StartNew();
        var indexed = await services.GetRequiredService<Storage.Prescriptions.PatientSearchIndex>().CatchUpAsync(CancellationToken.None);
        Console.WriteLine($"patient search rows derived from the as-received records first (background upkeep in service): {indexed:N0} in {clock.Elapsed.TotalSeconds:N0} s");
        await SearchBenchmark.MeasureAsync(services, Pools.Surnames, Pools.Prescribers, Pools.Drugs, DateTimeOffset.UtcNow - Span, Pools.FirstNames);
    }

    /// <summary>The daily backup of the data set while new messages arrive: the ingest rate during it beside the rate without.</summary>
    public static async Task BackupAsync(string folder)
    {
        using var key = LoadKey(folder);
        await using var services = await BenchServices.OpenAsync(folder, key);
        // Numbered after every message already there: each new one is new, not a duplicate.
        var first = (int)await services.GetRequiredService<Storage.Archive.ArchiveQueries>().CountAsync(CancellationToken.None);
        await BackupBenchmark.MeasureAsync(services, InFlight, 2_000_000, i => Message(first + i, DateTimeOffset.UtcNow));
    }

    /// <summary>The console queue alone: through the reader, and its statement on a bare connection, with the plan SQLite chose.</summary>
    public static async Task QueueAsync(string folder)
    {
        using var key = LoadKey(folder);
        await using var services = await BenchServices.OpenAsync(folder, key);
        var database = services.GetRequiredService<Database>();
        var reader = new Storage.Prescriptions.WorkQueueReader(database);
        var since = DateTimeOffset.UtcNow.AddDays(-30);
        var parameters = new { Since = ReceiptSeal.FormatTimestamp(since), PerGroup = 50, CountCap = Storage.Prescriptions.WorkQueueReader.OpenCountCap + 1, Ignored = "||" };
        var sql = Storage.Prescriptions.WorkQueueReader.Statement(database.Dialect);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        foreach (var (name, run) in new (string, Func<Task<int>>)[]
        {
            ("through the reader (a connection opened each time)", async () => (await reader.ReadAsync(since, 50, CancellationToken.None)).Count),
            ("the statement on one open connection", async () => (await connection.QueryAsync(sql, parameters)).Count()),
        })
        {
            var times = new List<double>();
            for (var i = 0; i < 30; i++)
            {
                var clock = Stopwatch.StartNew();
                var rows = await run();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"{name}: p50 {times[15]:N1} ms, p95 {times[28]:N1} ms");
        }
        Console.WriteLine($"SQLite {await connection.ExecuteScalarAsync<string>("SELECT sqlite_version()")}:");
        foreach (var line in await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + sql, parameters))
        {
            Console.WriteLine($"  {line.Id} {line.Parent} {line.Detail}");
        }
    }

    internal static PharmacySigningKey LoadKey(string folder) =>
        PharmacyKeyFiles.Load(Path.Combine(folder, "bench-key.pem"), Path.Combine(folder, "keys", "pharmacy.crt"), KeyPassword.ToCharArray());

    /// <summary>The audit trail's part of verify alone (chain, coverage, heads), its CPU time.</summary>
    public static async Task TrailAsync(string folder)
    {
        using var key = LoadKey(folder);
        await using var services = await BenchServices.OpenAsync(folder, key);
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var report = await services.GetRequiredService<ArchiveVerifier>().VerifyTrailAsync(CancellationToken.None);
        self.Refresh();
        Console.WriteLine($"trail alone: {report.AuditEventsChecked:N0} audit events in {clock.Elapsed.TotalSeconds:N1} s, {(self.TotalProcessorTime - cpu).TotalSeconds:N1} CPU-seconds; {report.Problems.Count} problems");
    }

    /// <summary>A message of the data set: 3–6 KB, controlled one time in seven, names drawn from fixed pools, written up to three days before it arrives.</summary>
    public static byte[] Message(int i, DateTimeOffset receivedAt)
    {
        var random = new Random(i);
        var controlled = i % 20 < 3;
        var template = controlled ? new SyntheticNewRx() : SyntheticNewRx.NotControlled;
        var message = template with
        {
            MessageId = $"SCALE-{i:D9}",
            WrittenDate = DateOnly.FromDateTime(receivedAt.UtcDateTime).AddDays(-random.Next(4)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            PrescriberOrderNumber = $"ORD-{i:D9}",
            PatientLastName = Pools.Surnames[random.Next(Pools.Surnames.Length)],
            PatientFirstName = Pools.FirstNames[random.Next(Pools.FirstNames.Length)],
            PrescriberLastName = Pools.Prescribers[random.Next(Pools.Prescribers.Length)],
            DrugDescription = controlled ? template.DrugDescription : Pools.Drugs[random.Next(Pools.Drugs.Length)],
        };
        var size = message.ToBytes().Length;
        var target = 3_000 + random.Next(3_000);
        // Long free-text directions, as real prescriptions carry, bring the message to its size.
        return target <= size ? message.ToBytes() : (message with
        {
            Directions = message.Directions + " " + string.Concat(Enumerable.Repeat("Continue as directed by the prescriber. ", (target - size) / 40 + 1)),
        }).ToBytes();
    }

    // With receivedAt, message i is received at its moment (MessageClock); without, now.
    private static async Task<int> IngestAsync(ServiceProvider services, int first, int count, Stopwatch clock, Func<int, DateTimeOffset>? receivedAt)
    {
        var pipeline = services.GetRequiredService<ReceiptPipeline>();
        var next = -1;
        var done = 0;
        var report = clock.Elapsed;
        await Task.WhenAll(Enumerable.Range(0, InFlight).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                var at = receivedAt?.Invoke(first + i);
                MessageClock.At.Value = at;
                await pipeline.ReceiveAsync(Message(first + i, at ?? DateTimeOffset.UtcNow), ReceiptSource.Bus("bench"), CancellationToken.None);
                if (Interlocked.Increment(ref done) % 100_000 == 0)
                {
                    await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {done:N0} ingested, {clock.Elapsed.TotalSeconds:N0} s"));
                }
            }
        })));
        return done;
    }

    // As the dispensing store inserts them, in large transactions: the audited transaction records their rows in the chain.
    private static async Task<long> DispenseAsync(Database database, long after)
    {
        const string prescriptions = """
            SELECT prescription_number, receipt_id, received_at FROM prescriptions WHERE prescription_number > @After ORDER BY prescription_number
            """;
        const string insert = """
            INSERT INTO dispensings (receipt_id, quantity, quantity_unit, date_dispensed, dispenser, refill_number, recorded_at, recorded_by, reason)
            VALUES (@ReceiptId, '20', 'C48542', @DateDispensed, 'Benchmark Pharmacist', @RefillNumber, @RecordedAt, 'bench', NULL)
            """;
        List<(long Number, string ReceiptId, string ReceivedAt)> rows;
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            rows = [.. await connection.QueryAsync<(long, string, string)>(prescriptions, new { After = after })];
        }
        var now = DateTimeOffset.UtcNow;
        // 0, 1, 2 or 3 fills: 1.5 a prescription on average; the first on the day it arrived, each next a month on, none after today.
        var fills = rows.Select(row => (row.ReceiptId, Received: ReceiptSeal.TryParseTimestamp(row.ReceivedAt, out var at) ? at : now, Count: (int)(row.Number % 4)))
            .SelectMany(p => Enumerable.Range(0, p.Count).Select(refill => (p.ReceiptId, Filled: p.Received.AddDays(refill * 30), RefillNumber: refill)))
            .Where(fill => fill.Filled <= now)
            .Select(fill => new
            {
                fill.ReceiptId,
                DateDispensed = DateOnly.FromDateTime(fill.Filled.UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                fill.RefillNumber,
                RecordedAt = ReceiptSeal.FormatTimestamp(fill.Filled),
            });
        long written = 0;
        foreach (var chunk in fills.Chunk(DispensingsPerTransaction))
        {
            await database.AuditedAsync(async (connection, transaction) =>
            {
                await connection.ExecuteAsync(new CommandDefinition(insert, chunk, transaction));
                return (true, chunk.Select(fill => new AuditEvent(now, AuditEventTypes.PrescriptionDispensed, "bench", AuditOutcome.Success, fill.ReceiptId,
                    $"refill number {fill.RefillNumber}")).ToArray(), true);
            }, CancellationToken.None);
            written += chunk.Length;
        }
        return written;
    }

    private static class Pools
    {
        private static readonly Random Random = new(20261207);

        public static string[] Surnames { get; } = SearchBenchmark.Names(Random, 6_000);

        public static string[] FirstNames { get; } = SearchBenchmark.Names(Random, 300);

        public static string[] Prescribers { get; } = SearchBenchmark.Names(Random, 2_500);

        public static string[] Drugs { get; } = [.. SearchBenchmark.Names(Random, 400).Select(n => $"{char.ToUpperInvariant(n[0])}{n[1..]} {Random.Next(1, 80) * 5} MG Oral Tablet")];
    }

    /// <summary>The service's clock during generation: the moment of the message being received, else now.</summary>
    private sealed class MessageClock : TimeProvider
    {
        public static readonly MessageClock Instance = new();

        public static readonly AsyncLocal<DateTimeOffset?> At = new();

        public override DateTimeOffset GetUtcNow() => At.Value ?? base.GetUtcNow();
    }
}
