using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using PharmacyRx.Core.Export;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Prescriptions;
using PharmacyRx.Core.Keys;
using PharmacyRx.Storage.Prescriptions;

namespace PharmacyRx.Benchmarks;

/// <summary>
/// Retrieval latency (1311.205(b)(11)) over a synthetic archive of <c>prescriptions</c> NewRx records with two
/// dispensings each on average, through <see cref="PrescriptionSearch"/> as the API calls it: a page of 50, newest first.
/// The data is loaded straight into the tables (not timed); the queries are timed one by one.
/// </summary>
internal static class SearchBenchmark
{
    private const int QueriesPerKey = 300;

    public static async Task RunAsync(string folder, int prescriptions)
    {
        using var key = PharmacySigningKey.Generate("Benchmark Pharmacy", DateTimeOffset.UtcNow);
        await using var services = await BenchServices.OpenAsync(folder, key);
        var (surnames, prescribers, drugs, start) = await LoadSyntheticArchiveAsync(folder, prescriptions);
        await MeasureAsync(services, surnames, prescribers, drugs, start);
    }

    /// <summary>Each retrieval key's queries over the archive the services open, with names from the pools the archive was made of.</summary>
    public static async Task MeasureAsync(
        ServiceProvider services, string[] surnames, string[] prescribers, string[] drugs, DateTimeOffset start, string[]? firstNames = null)
    {
        var search = services.GetRequiredService<PrescriptionSearch>();
        string First(int i) => firstNames![(i * 104729) % firstNames.Length];
        string Last(int i) => surnames[(i * 7919) % surnames.Length];
        var names = firstNames is null ? [] : new (string Name, Func<int, PrescriptionQuery> Query)[]
        {
            ("patient first name only (one word)", i => new PrescriptionQuery { Patient = First(i) }),
            ("patient last then first name", i => new PrescriptionQuery { Patient = $"{Last(i).ToUpperInvariant()} {First(i)}" }),
            ("patient first then last name, sorted by name", i => new PrescriptionQuery { Patient = $"{First(i)} {Last(i)}", Sort = PrescriptionSort.Patient }),
            ("patient first-name prefix, last-name prefix", i => new PrescriptionQuery { Patient = $"{First(i)[..3]} {Last(i)[..3]}" }),
        };
        var keys = new (string Name, Func<int, PrescriptionQuery> Query)[]
        {
            ("patient name prefix", i => new PrescriptionQuery { Patient = surnames[(i * 7919) % surnames.Length][..4] }),
            ("prescriber name prefix", i => new PrescriptionQuery { Prescriber = prescribers[(i * 7919) % prescribers.Length][..4] }),
            ("drug name prefix", i => new PrescriptionQuery { Drug = drugs[(i * 7919) % drugs.Length][..4] }),
            ("date dispensed (one day)", i => new PrescriptionQuery
            {
                DispensedFrom = DateOnly.FromDateTime(start.AddDays(30 + (i * 37) % 690).UtcDateTime),
                DispensedTo = DateOnly.FromDateTime(start.AddDays(30 + (i * 37) % 690).UtcDateTime),
            }),
        };
        keys = [.. keys, .. names];
        Console.WriteLine();
        Console.WriteLine($"{"retrieval key (page of 50, newest first)",-44} {"p50 ms",8} {"p95 ms",8} {"max ms",8} {"rows/page",10}");
        foreach (var (name, query) in keys)
        {
            for (var i = 0; i < 20; i++)
            {
                await search.SearchAsync(query(QueriesPerKey + i), CancellationToken.None);
            }
            var timings = new double[QueriesPerKey];
            long rows = 0;
            for (var i = 0; i < QueriesPerKey; i++)
            {
                var timer = Stopwatch.StartNew();
                var page = await search.SearchAsync(query(i), CancellationToken.None);
                timings[i] = timer.Elapsed.TotalMilliseconds;
                rows += page.Rows.Count;
            }
            Array.Sort(timings);
            Console.WriteLine($"{name,-44} {timings[QueriesPerKey / 2],8:N2} {timings[(int)(QueriesPerKey * 0.95)],8:N2} {timings[^1],8:N2} {rows / (double)QueriesPerKey,10:N1}");
        }
        Console.WriteLine("goal: p95 <= 20 ms for each key");
    }

    /// <summary>
    /// Fills the data folder's database with <paramref name="prescriptions"/> synthetic NewRx records over two years
    /// and two dispensings each on average; returns the names used, for queries.
    /// </summary>
    internal static async Task<(string[] Surnames, string[] Prescribers, string[] Drugs, DateTimeOffset Start)> LoadSyntheticArchiveAsync(
        string folder, int prescriptions)
    {
        var random = new Random(20261122);
        var surnames = Names(random, 6_000);
        var firstNames = Names(random, 300);
        var prescribers = Names(random, 2_500);
        var drugs = Names(random, 400).Select(n => $"{char.ToUpperInvariant(n[0])}{n[1..]} {random.Next(1, 80) * 5} MG Oral Tablet").ToArray();
        var start = DateTimeOffset.UtcNow.AddYears(-2);
        var span = TimeSpan.FromDays(730).Ticks / prescriptions;
        var clock = Stopwatch.StartNew();
        var dispensings = await LoadAsync(Path.Combine(folder, "pharmacyrx.db"), prescriptions, random, surnames, firstNames, prescribers, drugs, start, span);
        Console.WriteLine($"loaded {prescriptions:N0} prescriptions and {dispensings:N0} dispensings in {clock.Elapsed.TotalSeconds:N0} s; database {new FileInfo(Path.Combine(folder, "pharmacyrx.db")).Length / 1e9:N2} GB");
        return (surnames, prescribers, drugs, start);
    }

    internal static string[] Names(Random random, int count)
    {
        string[] syllables = ["ba", "ber", "can", "dor", "el", "fin", "gar", "hal", "in", "jo", "kel", "lan", "mar", "nor", "ol", "par", "quin", "ros", "sal", "ter", "ul", "van", "wes", "xan", "yor", "zel", "mü", "sé"];
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (names.Count < count)
        {
            var name = string.Concat(Enumerable.Range(0, random.Next(2, 4)).Select(_ => syllables[random.Next(syllables.Length)]));
            names.Add(char.ToUpperInvariant(name[0]) + name[1..]);
        }
        return [.. names];
    }

    private static async Task<long> LoadAsync(
        string path, int count, Random random, string[] surnames, string[] firstNames, string[] prescribers, string[] drugs, DateTimeOffset start, long span)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using (var pragma = connection.CreateCommand())
        {
            // Bulk load only: the measured queries run on the service's own connections.
            pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -200000;";
            await pragma.ExecuteNonQueryAsync();
        }
        var archive = Prepare(connection, """
            INSERT INTO prescription_archive (receipt_id, received_at, source, dedupe_key, message_id, transaction_kind, status, reason_code, reason,
              missing_elements, dea_schedule, prescriber_dea_number, prescriber_name, patient_name, drug_description, written_date, as_received,
              as_received_sha256, receipt_signature, signer_thumbprint)
            VALUES ($id, $at, 'bench', $dedupe, $message, 'NewRx', 'ReceiptSigned', '', '', '', $schedule, 'FB1234563', $prescriber, $patient, $drug,
              $written, $bytes, 'synthetic', $bytes, 'synthetic')
            """, "$id", "$at", "$dedupe", "$message", "$schedule", "$prescriber", "$patient", "$drug", "$written", "$bytes");
        var prescription = Prepare(connection, """
            INSERT INTO prescriptions (receipt_id, received_at, patient_key, prescriber_key, drug_key, dea_schedule, written_date, earliest_fill_date,
              quantity, quantity_unit, refills_authorized)
            VALUES ($id, $at, $patient, $prescriber, $drug, $schedule, $written, '', '30', 'C48542', '5')
            """, "$id", "$at", "$patient", "$prescriber", "$drug", "$schedule", "$written");
        // What the export shows beyond the search row, as PrescriptionDetails derives it from the as-received record.
        var details = Prepare(connection, """
            INSERT INTO prescription_details (prescription_number, message_id, status_on_receipt, fields)
            VALUES (last_insert_rowid(), $message, 'ReceiptSigned', $fields)
            """, "$message", "$fields");
        var dispensing = Prepare(connection, """
            INSERT INTO dispensings (receipt_id, quantity, quantity_unit, date_dispensed, dispenser, refill_number, recorded_at, recorded_by)
            VALUES ($id, '30', 'C48542', $date, 'BP', $refill, $at, 'bench')
            """, "$id", "$date", "$refill", "$at");
        string[] schedules = ["C48675", "C48676", "C48677", "C48679", ""];
        var bytes = new byte[64];
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        long dispensed = 0;
        SqliteTransaction? transaction = null;
        for (var i = 0; i < count; i++)
        {
            if (i % 100_000 == 0)
            {
                if (transaction is not null)
                {
                    await transaction.CommitAsync();
                    await transaction.DisposeAsync();
                }
                transaction = connection.BeginTransaction();
                foreach (var command in new[] { archive, prescription, details, dispensing })
                {
                    command.Transaction = transaction;
                }
            }
            var at = start.AddTicks(span * i);
            var id = Guid.CreateVersion7(at).ToString("D");
            var stamp = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
            var patient = $"{surnames[random.Next(surnames.Length)]}, {firstNames[random.Next(firstNames.Length)]}";
            var prescriber = $"{prescribers[random.Next(prescribers.Length)]}, {firstNames[random.Next(firstNames.Length)]}";
            var drug = drugs[random.Next(drugs.Length)];
            var schedule = schedules[random.Next(schedules.Length)];
            var written = at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            Run(archive, id, stamp, $"msg:B-{i}", $"B-{i}", schedule, prescriber, patient, drug, written, bytes);
            Run(prescription, id, stamp, SearchKey.Normalize(patient), SearchKey.Normalize(prescriber), SearchKey.Normalize(drug), schedule, written);
            Run(details, $"B-{i}", System.Text.Encoding.UTF8.GetString(ExportRecord.Encode(
            [
                written, schedule.Length == 0 ? "" : DeaScheduleCodes.FromCode(schedule)!.Value.ShortName(), patient,
                $"{100 + i % 9_000} Example Street, Springfield, IL 627{i % 100:D2}", prescriber, "1 Clinic Way, Springfield, IL 62702", "FB1234563", drug,
                "5 C28253", "C42998", "30", "C48542", "5",
            ])));
            var fills = i % 5; // 0 to 4: two per prescription on average, exactly
            for (var refill = 0; refill < fills; refill++)
            {
                var planned = DateOnly.FromDateTime(at.UtcDateTime).AddDays(refill * 30);
                var day = planned > today ? today : planned;
                Run(dispensing, id, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), refill, stamp);
                dispensed++;
            }
        }
        await transaction!.CommitAsync();
        await transaction.DisposeAsync();
        await using (var analyze = connection.CreateCommand())
        {
            analyze.CommandText = "ANALYZE;";
            await analyze.ExecuteNonQueryAsync();
        }
        return dispensed;
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        return command;
    }

    private static void Run(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
        command.ExecuteNonQuery();
    }
}
