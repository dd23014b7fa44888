using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using PharmacyRx.Core.Keys;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Prescriptions;

namespace PharmacyRx.Benchmarks;

/// <summary>
/// The console's queue and search pages over a synthetic archive (p95 ≤ 100 ms over 1,000,000 prescriptions):
/// the queries each page runs per request (<see cref="WorkQueueReader"/> as the queue calls it; <see cref="PrescriptionSearch"/>
/// as the search page calls it, 50 rows a page), timed one by one. One record in 500 is added again with a status that
/// needs attention (review, pending, invalid, rejected), so every queue group has rows.
/// </summary>
internal static class ConsoleBenchmark
{
    private const int Requests = 200;

    public static async Task RunAsync(string folder, int prescriptions)
    {
        using var key = PharmacySigningKey.Generate("Benchmark Pharmacy", DateTimeOffset.UtcNow);
        await using var services = await BenchServices.OpenAsync(folder, key);
        var (surnames, _, _, _) = await SearchBenchmark.LoadSyntheticArchiveAsync(folder, prescriptions);
        await AddAttentionRecordsAsync(Path.Combine(folder, "pharmacyrx.db"));
        await MeasureAsync(services, surnames);
    }

    /// <summary>The pages' queries over the archive the services open, patients' surnames drawn from <paramref name="surnames"/>.</summary>
    public static async Task MeasureAsync(ServiceProvider services, string[] surnames)
    {
        var queue = new WorkQueueReader(services.GetRequiredService<Database>());
        var search = services.GetRequiredService<PrescriptionSearch>();
        var since = DateTimeOffset.UtcNow.AddDays(-30);
        var pages = new (string Name, Func<int, Task<int>> Request)[]
        {
            ("queue (5 groups, 50 rows each, counts)", async _ => (await queue.ReadAsync(since, 50, CancellationToken.None)).Count),
            ("search: patient prefix, sorted by patient", async i => (await search.SearchAsync(new PrescriptionQuery
            {
                Patient = surnames[(i * 7919) % surnames.Length][..3], Sort = PrescriptionSort.Patient, Descending = false,
            }, CancellationToken.None)).Rows.Count),
            ("search: no filter, newest first, page 20", async _ => (await search.SearchAsync(new PrescriptionQuery { Page = 20 }, CancellationToken.None)).Rows.Count),
            ("search: status Invalid", async _ => (await search.SearchAsync(new PrescriptionQuery { Status = "Invalid" }, CancellationToken.None)).Rows.Count),
        };
        Console.WriteLine();
        Console.WriteLine($"{"console page (server-side queries)",-44} {"p50 ms",8} {"p95 ms",8} {"max ms",8} {"rows",8}");
        foreach (var (name, request) in pages)
        {
            for (var i = 0; i < 10; i++)
            {
                await request(Requests + i);
            }
            var timings = new double[Requests];
            long rows = 0;
            for (var i = 0; i < Requests; i++)
            {
                var timer = Stopwatch.StartNew();
                rows += await request(i);
                timings[i] = timer.Elapsed.TotalMilliseconds;
            }
            Array.Sort(timings);
            Console.WriteLine($"{name,-44} {timings[Requests / 2],8:N2} {timings[(int)(Requests * 0.95)],8:N2} {timings[^1],8:N2} {rows / (double)Requests,8:N1}");
        }
        Console.WriteLine("goal: p95 <= 100 ms for each page");
    }

    private static async Task AddAttentionRecordsAsync(string path)
    {
        const string sql = """
            INSERT INTO prescription_archive (receipt_id, received_at, source, dedupe_key, message_id, transaction_kind, status, reason_code, reason,
              missing_elements, dea_schedule, prescriber_dea_number, prescriber_name, patient_name, drug_description, written_date, as_received,
              as_received_sha256, receipt_signature, signer_thumbprint)
            SELECT 'attention-' || receipt_id, received_at, source, 'attention:' || dedupe_key, message_id, transaction_kind,
                   CASE (rowid / 500) % 4 WHEN 0 THEN 'NeedsPharmacistReview' WHEN 1 THEN 'PendingRevocationCheck' WHEN 2 THEN 'Invalid' ELSE 'Rejected' END,
                   reason_code, reason, missing_elements, dea_schedule, prescriber_dea_number, prescriber_name, patient_name, drug_description,
                   written_date, as_received, as_received_sha256, receipt_signature, signer_thumbprint
            FROM prescription_archive WHERE rowid % 500 = 0;
            -- As the archive writer does: every readable NewRx has its prescriptions row, whatever its status; a rejected
            -- (unreadable) message has none.
            INSERT INTO prescriptions (receipt_id, received_at, patient_key, prescriber_key, drug_key, dea_schedule, written_date,
              earliest_fill_date, quantity, quantity_unit, refills_authorized)
            SELECT a.receipt_id, p.received_at, p.patient_key, p.prescriber_key, p.drug_key, p.dea_schedule, p.written_date,
                   p.earliest_fill_date, p.quantity, p.quantity_unit, p.refills_authorized
            FROM prescription_archive a JOIN prescriptions p ON a.receipt_id = 'attention-' || p.receipt_id
            WHERE a.receipt_id LIKE 'attention-%' AND a.status <> 'Rejected';
            ANALYZE;
            """;
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        var added = await connection.ExecuteAsync(sql);
        Console.WriteLine($"added {added:N0} records that need attention");
    }
}
