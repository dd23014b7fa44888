using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Export;
using PharmacyRx.Storage.Prescriptions;
using PharmacyRx.Testing;

namespace PharmacyRx.Benchmarks;

/// <summary>
/// Inspector exports (1304.04(h)(5)) of a synthetic archive with 1,000,000 dispensings, each format and two orders, each
/// in a process of its own so its peak working set is the export's alone. Beside them, in the same run: a plain read
/// of the same rows without sort or file (the raw operation), and the derivation of export details from real
/// as-received messages (what receiving defers to the background).
/// </summary>
internal static class ExportBenchmark
{
    private const string SpreadCheetah = "xlsx-spreadcheetah";

    public static async Task RunAsync(string folder, int prescriptions)
    {
        using (var key = PharmacySigningKey.Generate("Benchmark Pharmacy", DateTimeOffset.UtcNow))
        await using (var services = await BenchServices.OpenAsync(folder, key))
        {
            await SearchBenchmark.LoadSyntheticArchiveAsync(folder, prescriptions);
        }
        SqliteConnection.ClearAllPools();

        Console.WriteLine();
        Console.WriteLine($"raw: the same rows' column bytes read and written to a file, unsorted: {RawRead(folder)}");
        Console.WriteLine();
        Console.WriteLine($"{"export (every schedule)",-36} {"rows",10} {"seconds",8} {"rows/s",10} {"peak WS MB",11} {"file MB",8} {"goal s",7}");
        // XLSX twice, side by side: the service's own writer and SpreadCheetah (README "Inspector exports").
        foreach (var (format, goal) in new[] { ("csv", 3), ("xlsx", 20), (SpreadCheetah, 20), ("sqlite", 10) })
        {
            foreach (var sort in new[] { "date-filled", "prescriber" })
            {
                var output = Path.Combine(folder, $"export-{sort}.{format}");
                if (format == SpreadCheetah)
                {
                    output = Path.ChangeExtension(output, ".xlsx");
                }
                var child = await RunChildAsync(folder, format, sort, output);
                File.Delete(output);
                var parts = child.Split('\t');
                var rows = long.Parse(parts[0], CultureInfo.InvariantCulture);
                var seconds = double.Parse(parts[1], CultureInfo.InvariantCulture);
                var peak = long.Parse(parts[2], CultureInfo.InvariantCulture);
                var size = long.Parse(parts[3], CultureInfo.InvariantCulture);
                Console.WriteLine($"{format + " by " + sort,-36} {rows,10:N0} {seconds,8:N2} {rows / seconds,10:N0} {peak / 1e6,11:N0} {size / 1e6,8:N0} {goal,7}");
            }
        }
        Console.WriteLine("goal: 1,000,000 dispensing rows; CSV <= 3 s, XLSX <= 20 s, SQLite <= 10 s; peak working set <= 300 MB");
        Console.WriteLine($"xlsx is the service's own writer, {SpreadCheetah} the same rows through SpreadCheetah");

        await DeriveAsync(Path.Combine(folder, "derive"), 20_000);
    }

    /// <summary>The child process: one export through the service's own <see cref="InspectorExport"/>.</summary>
    public static async Task ExportOneAsync(string folder, string format, string sort, string output)
    {
        // A scale data set's own key, so the export's audit event is keyed as the service keys it.
        using var key = File.Exists(Path.Combine(folder, "bench-key.pem"))
            ? ScaleBenchmark.LoadKey(folder)
            : PharmacySigningKey.Generate("Benchmark Pharmacy", DateTimeOffset.UtcNow);
        await using var services = await BenchServices.OpenAsync(folder, key);
        var export = services.GetRequiredService<InspectorExport>();
        if (format == SpreadCheetah)
        {
            export.XlsxWriter = stream => new SpreadCheetahExportWriter(stream);
            format = "xlsx";
        }
        var (request, error) = ExportRequest.Parse(format, sort, null, null, "all", null, null, null);
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var timer = Stopwatch.StartNew();
        var rows = await export.WriteAsync(request ?? throw new ArgumentException(error), output, "bench", CancellationToken.None);
        var seconds = timer.Elapsed.TotalSeconds;
        self.Refresh();
        var cpuSeconds = (self.TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows}\t{seconds}\t{self.PeakWorkingSet64}\t{new FileInfo(output).Length}\t{cpuSeconds}"));
    }

    internal static async Task<string> RunChildAsync(string folder, string format, string sort, string output)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ExportBenchmark).Assembly.Location);
        }
        foreach (var argument in new[] { "export-one", folder, format, sort, output })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var lines = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"export {format} {sort} failed with exit code {process.ExitCode}");
        }
        return lines.Trim().Split('\n')[^1];
    }

    // The raw operation: the same rows and columns, through the export's own joins, read in one pass with SQLite's own
    // API and their bytes written to a file as they come: no sort, no status, no format.
    internal static string RawRead(string folder)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "pharmacyrx.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var handle = connection.Handle!;
        const string sql = """
            SELECT p.prescription_number, p.prescriber_key, p.patient_key, p.drug_key, d.fields, d.status_on_receipt,
                   x.id, x.date_dispensed, x.quantity, x.dispenser, x.refill_number, a.transaction_kind
            FROM prescriptions p JOIN prescription_details d ON d.prescription_number = p.prescription_number
            JOIN prescription_archive a INDEXED BY ix_prescription_archive_kind ON a.receipt_id = p.receipt_id
            LEFT JOIN dispensings x ON x.receipt_id = p.receipt_id
            """;
        var timer = Stopwatch.StartNew();
        var cpu = ThreadCpuClock.Now();
        SQLitePCL.raw.sqlite3_prepare_v2(handle, sql, out var statement);
        long rows = 0;
        var path = Path.Combine(folder, "raw.bin");
        using (statement)
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 17))
        {
            while (SQLitePCL.raw.sqlite3_step(statement) == SQLitePCL.raw.SQLITE_ROW)
            {
                for (var i = 0; i < 12; i++)
                {
                    file.Write(SQLitePCL.raw.sqlite3_column_blob(statement, i));
                }
                rows++;
            }
        }
        var seconds = timer.Elapsed.TotalSeconds;
        var cpuSeconds = (double)(ThreadCpuClock.Now() - cpu) / Stopwatch.Frequency;
        var size = new FileInfo(path).Length;
        File.Delete(path);
        return string.Create(CultureInfo.InvariantCulture, $"{rows:N0} rows, {size / 1e6:N0} MB in {seconds:N2} s ({rows / seconds:N0} rows/s), {cpuSeconds:N1} CPU-s");
    }

    // Details derived from real as-received NewRx (parsed again), as the background upkeep and each export do.
    private static async Task DeriveAsync(string folder, int count)
    {
        using var key = PharmacySigningKey.Generate("Benchmark Pharmacy", DateTimeOffset.UtcNow);
        await using var services = await BenchServices.OpenAsync(folder, key);
        var pipeline = services.GetRequiredService<Host.Receiving.ReceiptPipeline>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(500))
        {
            await Task.WhenAll(chunk.Select(i => pipeline.ReceiveAsync(
                new SyntheticNewRx { MessageId = $"DERIVE-{i:D8}", PrescriberOrderNumber = $"ORD-{i:D8}" }.ToBytes(), Host.Receiving.ReceiptSource.Http, CancellationToken.None)));
        }
        var timer = Stopwatch.StartNew();
        var derived = await services.GetRequiredService<PrescriptionDetails>().CatchUpAsync(CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"details derived from as-received records: {derived:N0} in {timer.Elapsed.TotalSeconds:N2} s ({derived / timer.Elapsed.TotalSeconds:N0}/s)"));
    }
}
