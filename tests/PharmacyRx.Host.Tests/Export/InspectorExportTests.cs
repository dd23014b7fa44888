using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Host.Tests.Api;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Export;

/// <summary>
/// Inspector exports (1304.04(h)(5), 1311.205(b)(12)) of one pharmacy's records, through the command line and the API,
/// read back row by row in each format and each order. The records: five controlled prescriptions (one dispensed once,
/// one twice, one never dispensed, one voided, one cancelled by a CancelRx), one that is not controlled, an approved
/// renewal of the one never dispensed, and an approved change that replaces another (docs/transactions.md).
/// </summary>
[TestFixture]
public class InspectorExportTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private static readonly string Written = Day(Today.AddDays(-3));

    // The pharmacy's today when it dispenses: two days after receipt, so every fill is dated on or after receipt.
    private static readonly DateOnly Filled = Today.AddDays(2);

    private PharmacyApi _api = null!;
    private TempFolder _out = null!;

    // What each prescription's columns 1-14 read: number, written date, schedule, patient, address, prescriber, address,
    // DEA, drug, strength, form, quantity, unit, refills.
    private static readonly Dictionary<long, string?[]> Prescriptions = new()
    {
        [1] = Rx(1, "CII", "Zeller, Alex", "Adams, Sam", "Oxycodone Hydrochloride 5 MG Oral Tablet", "20", "0"),
        [2] = Rx(2, "CIII", "Åberg, Alex", "Baker, Sam", "Hydrocodone Bitartrate 10 MG", "30", "2"),
        [3] = Rx(3, "CIV", "O\"Hara, Jr, Alex", "Adams, Sam", "Alprazolam 1 MG", "60", "1"),
        [4] = Rx(4, "", "Young, Alex", "Clark, Sam", "Amoxicillin 500 MG", "21", "0"),
        [5] = Rx(5, "CII", "@Risk, Alex", "Clark, Sam", "Morphine Sulfate 15 MG", "10", "0"),
        [6] = Rx(6, "CII", "Baker, Alex", "Adams, Sam", "Oxycodone Hydrochloride 5 MG Oral Tablet", "20", "0"),
        [7] = Rx(7, "CIV", "O\"Hara, Jr, Alex", "Adams, Sam", "Alprazolam 1 MG", "60", "2"),
        [8] = Rx(8, "CII", "Irwin, Alex", "Ellis, Sam", "Morphine Sulfate 15 MG", "10", "0"),
        [9] = Rx(9, "CII", "Irwin, Alex", "Ellis, Sam", "Morphine Sulfate 15 MG", "20", "0"),
    };

    // The prescriptions that came in as a prescriber's answer, with the prescription they answer: 7 renews 3 (a
    // prescription of its own, 3 stays as it was) and 9 is an approved change that replaces 8. Every other one is a NewRx.
    private static readonly Dictionary<long, (string Transaction, long Answers)> Answers = new()
    {
        [7] = ("RxRenewalResponse", 3),
        [9] = ("RxChangeResponse", 8),
    };

    /// <summary>The prescriptions whose fills reach what was prescribed: 1 (20 prescribed, no refills, 20 filled).</summary>
    private static readonly HashSet<long> FullyDispensed = [1];

    // The rows: a prescription number and its fill (date, quantity, refill number) or none, the status and verification.
    private static readonly Dictionary<string, string?[]> Rows = new()
    {
        ["1"] = Row(1, Day(Filled.AddDays(-1)), "20", 0, "Active"),
        ["2a"] = Row(2, Day(Filled.AddDays(-2)), "30", 0, "Active"),
        ["2b"] = Row(2, Day(Filled), "30", 1, "Active"),
        ["3"] = Row(3, null, null, null, "Active"),
        ["4"] = Row(4, null, null, null, "Active"),
        ["5"] = Row(5, null, null, null, "Voided"),
        ["6"] = Row(6, null, null, null, "Cancelled"),
        ["7"] = Row(7, null, null, null, "Active"),
        ["8"] = Row(8, null, null, null, "Replaced"),
        ["9"] = Row(9, null, null, null, "Active"),
    };

    [OneTimeSetUp]
    public async Task Records_of_a_pharmacy()
    {
        _api = await PharmacyApi.CreateAsync();
        _out = new TempFolder();
        var receipts = new Dictionary<long, Guid>();
        var sent = new Dictionary<long, SyntheticNewRx>();
        foreach (var (number, rx) in Prescriptions)
        {
            var schedule = rx[2] switch { "CII" => "C48675", "CIII" => "C48676", "CIV" => "C48677", _ => "" };
            var patient = rx[3]!.Split(", ");
            sent[number] = new SyntheticNewRx
            {
                MessageId = $"X-{number}", PrescriberOrderNumber = $"O-{number}", WrittenDate = Written, ScheduleCode = schedule,
                PatientLastName = string.Join(", ", patient[..^1]), PrescriberLastName = rx[5]!.Split(", ")[0], DrugDescription = rx[8]!,
                Quantity = rx[11]!, Refills = rx[13]!,
            };
            if (Answers.TryGetValue(number, out var answer))
            {
                // Bound to the prescription it answers by the prescriber order number, from the same sender, prescriber and patient.
                sent[number] = sent[number] with
                {
                    Transaction = answer.Transaction, Response = "Approved", PrescriberOrderNumber = $"O-{answer.Answers}",
                    RelatesToMessageId = $"PHARMACY-REQUEST-{number}",
                };
            }
            var run = await _api.Pharmacy.IngestAsync(sent[number]);
            Assert.That(run.ExitCode, Is.Zero, run.Error);
            receipts[number] = run.JsonLines[0].GetProperty("receiptId").GetGuid();
        }
        // A CancelRx binds to its NewRx only for the same prescriber and patient.
        var cancel = await _api.Pharmacy.IngestAsync(sent[6] with { Transaction = "CancelRx", MessageId = "CX-6", RelatesToMessageId = "X-6" });
        Assert.That(cancel.ExitCode, Is.Zero, cancel.Error);

        _api.Clock.Advance(TimeSpan.FromDays(2));
        using var pharmacist = await _api.UserAsync("pharm1", DefaultRoles.Pharmacist);
        foreach (var (number, date, quantity) in new[] { (1L, Filled.AddDays(-1), 20), (2L, Filled.AddDays(-2), 30), (2L, Filled, 30) })
        {
            using var dispensed = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipts[number]}/dispensings",
                new { quantity, dateDispensed = Day(date), dispenser = "SP" });
            Assert.That(dispensed.StatusCode, Is.EqualTo(HttpStatusCode.Created), await dispensed.Content.ReadAsStringAsync());
        }
        using var voided = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipts[5]}/void", new { reason = "duplicate order" });
        Assert.That(voided.IsSuccessStatusCode, Is.True, await voided.Content.ReadAsStringAsync());
    }

    [OneTimeTearDown]
    public async Task Remove()
    {
        await _api.DisposeAsync();
        _out.Dispose();
    }

    private static readonly object[] Orders =
    [
        new object[] { "prescriber", new[] { "6", "3", "7", "1", "2a", "2b", "5", "8", "9" } },
        new object[] { "patient", new[] { "5", "2a", "2b", "6", "8", "9", "3", "7", "1" } },
        new object[] { "drug", new[] { "3", "7", "2a", "2b", "5", "8", "9", "6", "1" } },
        new object[] { "date-filled", new[] { "2a", "1", "2b", "6", "3", "7", "5", "8", "9" } },
    ];

    [TestCaseSource(nameof(Orders))]
    [Property("Rule", "1311.205(b)(12)")]
    [Property("Rule", "1304.04(h)(5)")]
    public async Task A_CSV_export_holds_every_dispensing_and_each_prescription_never_dispensed_in_order(string sort, string[] order)
    {
        var file = await ExportAsync("csv", sort);

        var rows = ExportFiles.ReadCsv(await File.ReadAllBytesAsync(file));

        Assert.That(rows[0], Is.EqualTo(Header));
        // The patient name that starts with @ carries the apostrophe that keeps a spreadsheet from running it.
        Assert.That(rows.Skip(1), Is.EqualTo(order.Select(key => Expected(key, csvGuard: true))));
    }

    [TestCaseSource(nameof(Orders))]
    [Property("Rule", "1311.205(b)(12)")]
    [Property("Rule", "1304.04(h)(5)")]
    public async Task An_XLSX_export_read_back_by_the_OpenXML_SDK_holds_the_same_rows_with_dates_frozen_header_and_autofilter(string sort, string[] order)
    {
        var file = await ExportAsync("xlsx", sort);

        var sheet = ExportFiles.ReadXlsx(file).Single();

        Assert.That(sheet.Rows[0], Is.EqualTo(Header));
        Assert.That(sheet.Rows.Skip(1), Is.EqualTo(order.Select(key => Expected(key, csvGuard: false))));
        Assert.That(sheet.HeaderFrozen, Is.True);
        Assert.That(sheet.AutoFilter, Is.EqualTo($"A1:Y{order.Length + 1}"));
        // Written date (column B) on every row and date filled (column O) on the three fills are real dates.
        Assert.That(sheet.DateCells.Count(c => c.StartsWith('B')), Is.EqualTo(order.Length));
        Assert.That(sheet.DateCells.Count(c => c.StartsWith('O')), Is.EqualTo(3));
    }

    [TestCaseSource(nameof(Orders))]
    [Property("Rule", "1311.205(b)(12)")]
    [Property("Rule", "1304.04(h)(5)")]
    public async Task A_SQLite_export_holds_the_same_rows_in_export_order_and_says_what_it_is(string sort, string[] order)
    {
        var file = await ExportAsync("sqlite", sort);

        var (rows, info) = ExportFiles.ReadSqlite(file);

        Assert.That(rows.Skip(1), Is.EqualTo(order.Select(key => Expected(key, csvGuard: false))));
        Assert.That(info["rows"], Is.EqualTo(order.Length.ToString(CultureInfo.InvariantCulture)));
        Assert.That(info["filter"], Is.EqualTo("from=-; to=-; schedules=controlled"));
        Assert.That(info["time_zone"], Is.EqualTo(PharmacyZone.Default), "the range's days and the date columns are days in the pharmacy's zone");
        Assert.That(info["exported_by"], Does.StartWith("cli:"));
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        var types = await connection.QueryAsync<string>(
            "SELECT DISTINCT typeof(prescription_number) || '/' || typeof(quantity_prescribed) || '/' || typeof(written_date) FROM prescription_records");
        Assert.That(types, Is.EqualTo(new[] { "integer/integer/text" }));
    }

    [TestCase("csv")]
    [TestCase("xlsx")]
    [TestCase("sqlite")]
    [Property("Rule", "1304.04(h)(5)")]
    public async Task Every_format_names_the_transaction_so_a_renewal_and_a_change_read_as_what_they_are(string format)
    {
        var file = await ExportAsync(format, "prescriber");

        IReadOnlyList<string?[]> rows = format switch
        {
            "csv" => ExportFiles.ReadCsv(await File.ReadAllBytesAsync(file)),
            "xlsx" => ExportFiles.ReadXlsx(file).Single().Rows,
            _ => ExportFiles.ReadSqlite(file).Rows,
        };

        // Columns by their header, as the export names them (ExportColumns), not by position.
        var column = Header.ToList();
        string? Cell(long number, string header) =>
            rows.Skip(1).Single(r => r[0] == number.ToString(CultureInfo.InvariantCulture))[column.IndexOf(header)];
        Assert.That((Cell(3, "Transaction"), Cell(3, "Status")), Is.EqualTo(("NewRx", "Active")), "a renewal leaves the original as it was");
        Assert.That((Cell(7, "Transaction"), Cell(7, "Status")), Is.EqualTo(("RxRenewalResponse", "Active")));
        Assert.That((Cell(8, "Transaction"), Cell(8, "Status")), Is.EqualTo(("NewRx", "Replaced")));
        Assert.That((Cell(9, "Transaction"), Cell(9, "Status")), Is.EqualTo(("RxChangeResponse", "Active")));
    }

    [Test]
    [Property("Rule", "1311.205(b)(11)")]
    [Property("Rule", "1304.04(h)(5)")]
    public async Task Filters_take_a_date_range_a_schedule_and_name_prefixes_and_all_adds_the_uncontrolled()
    {
        var range = await ExportAsync("csv", "date-filled", "--from", Day(Filled.AddDays(-1)), "--to", Day(Filled));
        var schedule = await ExportAsync("csv", "date-filled", "--schedule", "CIII,CIV");
        var prescriber = await ExportAsync("csv", "date-filled", "--prescriber", "ADA", "--patient", "ze");
        var drug = await ExportAsync("csv", "drug", "--drug", "oxy");
        var all = await ExportAsync("csv", "drug", "--schedule", "all");

        // Fills by date filled; prescriptions never dispensed go by the day received (two days before), out of this range.
        Assert.That(Keys(range), Is.EqualTo(new[] { "1", "2b" }));
        Assert.That(Keys(schedule), Is.EqualTo(new[] { "2a", "2b", "3", "7" }));
        Assert.That(Keys(prescriber), Is.EqualTo(new[] { "1" }));
        Assert.That(Keys(drug), Is.EqualTo(new[] { "6", "1" }));
        Assert.That(Keys(all), Is.EqualTo(new[] { "3", "7", "4", "2a", "2b", "5", "8", "9", "6", "1" }));
    }

    [Test]
    public async Task Every_export_is_audited_with_who_the_filter_and_the_rows()
    {
        await ExportAsync("xlsx", "patient", "--prescriber", "adams");

        var audited = await AuditedExportsAsync();

        Assert.That(audited, Has.Some.Matches<(string Actor, string Outcome, string Details)>(a =>
            a.Actor.StartsWith("cli:", StringComparison.Ordinal) && a.Outcome == "Success"
            && a.Details == "format=xlsx; sort=Patient; from=-; to=-; schedules=controlled; prescriber=adams; rows=4"));
    }

    [Test]
    public async Task Bad_requests_get_a_clear_error_and_no_file()
    {
        var target = _out.File("bad.csv");

        var badDay = await _api.Pharmacy.RunAsync("export", "--format", "csv", "--from", "2026-02-30", "--out", target);
        var backwards = await _api.Pharmacy.RunAsync("export", "--format", "csv", "--from", "2026-02-02", "--to", "2026-02-01", "--out", target);
        var badSchedule = await _api.Pharmacy.RunAsync("export", "--format", "csv", "--schedule", "CVI", "--out", target);
        var noFolder = await _api.Pharmacy.RunAsync("export", "--format", "csv", "--out", _out.File("missing/x.csv"));
        await File.WriteAllTextAsync(target, "keep me");
        var exists = await _api.Pharmacy.RunAsync("export", "--format", "csv", "--out", target);

        Assert.That(badDay.ExitCode, Is.EqualTo(2));
        Assert.That(badDay.Error, Does.Contain("error: from '2026-02-30' is not a day (yyyy-MM-dd, 1900-01-01 to 2999-12-31)"));
        Assert.That(backwards.Error, Does.Contain("is after to"));
        Assert.That(badSchedule.Error, Does.Contain("'CVI' is not a schedule"));
        Assert.That((noFolder.ExitCode, noFolder.Error), Is.EqualTo((1, $"error: the folder {_out.File("missing")} does not exist\n")));
        Assert.That((exists.ExitCode, await File.ReadAllTextAsync(target)), Is.EqualTo((1, "keep me")));
    }

    [Test]
    public async Task The_API_streams_an_export_to_a_user_with_the_Export_permission_and_audits_it()
    {
        using var inspector = await _api.UserAsync("insp1", DefaultRoles.Inspector);
        // As on a pharmacy that never exported before: the exports folder does not exist yet.
        if (Directory.Exists(_api.Pharmacy.Data.ExportsFolder))
        {
            Directory.Delete(_api.Pharmacy.Data.ExportsFolder, recursive: true);
        }

        using var response = await inspector.GetAsync("/api/exports?format=csv&sort=patient&prescriber=baker");
        using var bad = await inspector.GetAsync("/api/exports?format=pdf");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        Assert.That(response.Content.Headers.ContentDisposition?.FileName, Is.EqualTo("prescriptions-patient.csv"));
        var rows = ExportFiles.ReadCsv(await response.Content.ReadAsByteArrayAsync());
        Assert.That(rows.Skip(1), Is.EqualTo(new[] { Expected("2a", true), Expected("2b", true) }));
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await AuditedExportsAsync(), Has.Some.Matches<(string Actor, string Outcome, string Details)>(a =>
            a.Actor == "insp1" && a.Details.EndsWith("prescriber=baker; rows=2", StringComparison.Ordinal)));
        // The file written for the response is gone once the response is read.
        Assert.That(Directory.EnumerateFiles(_api.Pharmacy.Data.ExportsFolder), Is.Empty);
    }

    private async Task<string> ExportAsync(string format, string sort, params string[] more)
    {
        var file = _out.File($"{Guid.NewGuid():N}.{format}");
        var run = await _api.Pharmacy.RunAsync(["export", "--format", format, "--sort", sort, .. more, "--out", file]);
        Assert.That(run.ExitCode, Is.Zero, run.Error);
        Assert.That(File.Exists(file + ".partial"), Is.False);
        return file;
    }

    private async Task<List<(string Actor, string Outcome, string Details)>> AuditedExportsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={_api.Pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        return (await connection.QueryAsync<(string, string, string)>(
            "SELECT actor, outcome, details FROM audit_events WHERE event_type = @Type", new { Type = AuditEventTypes.PrescriptionsExported })).ToList();
    }

    private static readonly string[] Header =
    [
        "Prescription number", "Written date", "Schedule", "Patient name", "Patient address", "Prescriber name", "Prescriber address",
        "Prescriber DEA number", "Drug name", "Strength", "Dosage form", "Quantity prescribed", "Quantity unit", "Refills authorized",
        "Date filled", "Quantity dispensed", "Dispenser", "Refill number", "Status", "Verification", "Transaction",
        "Strength in words", "Dosage form in words", "Quantity unit in words", "Standing",
    ];

    private static string?[] Expected(string key, bool csvGuard)
    {
        var row = Rows[key];
        var number = long.Parse(row[0]!, CultureInfo.InvariantCulture);
        // The codes in words beside them ("5 C28253" is "5 mg"), and the standing: what ended it, fully dispensed, else the
        // current status.
        var standing = row[^2] != "Active" ? row[^2] : FullyDispensed.Contains(number) ? "Fully dispensed" : row[^1];
        var cells = Prescriptions[number].Concat(row[1..]).Append(Answers.TryGetValue(number, out var answer) ? answer.Transaction : "NewRx")
            .Concat(["5 mg", "tablet", "tablet", standing]).ToArray();
        if (csvGuard && cells[3]!.StartsWith('@'))
        {
            cells[3] = "'" + cells[3];
        }
        return cells;
    }

    private static string[] Keys(string csv) =>
        [.. ExportFiles.ReadCsv(File.ReadAllBytes(csv)).Skip(1).Select(r => Rows.Single(x => Expected(x.Key, true).SequenceEqual(r)).Key)];

    private static string?[] Rx(long number, string schedule, string patient, string prescriber, string drug, string quantity, string refills) =>
    [
        // An empty cell reads back as no value in every format.
        number.ToString(CultureInfo.InvariantCulture), Written, schedule.Length == 0 ? null : schedule, patient, "100 Example Street, Springfield, IL 62701", prescriber,
        "1 Clinic Way, Springfield, IL 62702", "FT1234563", drug, "5 C28253", "C42998", quantity, "C48542", refills,
    ];

    private static string?[] Row(long number, string? date, string? quantity, int? refill, string status) =>
        [number.ToString(CultureInfo.InvariantCulture), date, quantity, date is null ? null : "SP", refill?.ToString(CultureInfo.InvariantCulture), status, "ReceiptSigned"];

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
