using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using PharmacyRx.Core.Access;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>The pharmacist's work through the API: retrieval, annotation, dispensing (1311.205(b)(10)-(11), 1311.200(f)).</summary>
public class PrescriptionApiTests
{
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<Guid> IngestAsync(PharmacyApi api, SyntheticNewRx message)
    {
        var run = await api.Pharmacy.IngestAsync(message);
        Assert.That(run.ExitCode, Is.Zero, run.Error);
        return run.JsonLines[0].GetProperty("receiptId").GetGuid();
    }

    /// <summary>The body of a successful response as JSON; a failed response fails the test with its status and body.</summary>
    internal static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static object Dispensing(decimal quantity, string? date = null) => new { quantity, dateDispensed = date ?? Today, dispenser = "SP" };

    [Test]
    [Property("Rule", "1311.205(b)(11)")]
    public async Task Search_by_patient_prescriber_and_drug_prefix_ignores_case_and_accents_and_pages()
    {
        await using var api = await PharmacyApi.CreateAsync();
        await IngestAsync(api, new SyntheticNewRx { MessageId = "R-1", PatientLastName = "Müller", PrescriberLastName = "Órtiz", DrugDescription = "Oxycodone 5 MG" });
        await IngestAsync(api, new SyntheticNewRx { MessageId = "R-2", PatientLastName = "Mullins", PrescriberOrderNumber = "O-2", DrugDescription = "Hydrocodone 10 MG" });
        await IngestAsync(api, new SyntheticNewRx { MessageId = "R-3", PatientLastName = "Smith", PrescriberOrderNumber = "O-3" });
        using var pharmacist = await api.UserAsync("pharm1", DefaultRoles.Pharmacist);

        var mul = await JsonAsync(await pharmacist.GetAsync("/api/prescriptions?patient=MUL&sort=patient&descending=false"));
        var ortiz = await JsonAsync(await pharmacist.GetAsync("/api/prescriptions?prescriber=ortiz"));
        var hydro = await JsonAsync(await pharmacist.GetAsync("/api/prescriptions?drug=hydro"));
        var paged = await JsonAsync(await pharmacist.GetAsync("/api/prescriptions?pageSize=2&page=2&sort=number&descending=false"));

        Assert.That(mul.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("patientName").GetString()),
            Is.EqualTo(new[] { "Müller, Alex", "Mullins, Alex" }));
        Assert.That(ortiz.GetProperty("rows").GetArrayLength(), Is.EqualTo(1));
        Assert.That(hydro.GetProperty("rows")[0].GetProperty("patientName").GetString(), Is.EqualTo("Mullins, Alex"));
        Assert.That(paged.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("prescriptionNumber").GetInt64()), Is.EqualTo(new[] { 3L }));
        Assert.That(paged.GetProperty("hasMore").GetBoolean(), Is.False);
    }

    [Test]
    [Property("Rule", "1311.205(b)(10)")]
    public async Task Dispensing_records_quantity_date_and_dispenser_derives_the_refill_number_and_refuses_past_the_rules()
    {
        await using var api = await PharmacyApi.CreateAsync();
        var receipt = await IngestAsync(api, new SyntheticNewRx { MessageId = "D-1", ScheduleCode = "C48677", Refills = "1", Quantity = "30" });
        using var pharmacist = await api.UserAsync("pharm1", DefaultRoles.Pharmacist);

        var first = await JsonAsync(await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/dispensings", Dispensing(30)));
        var refill = await JsonAsync(await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/dispensings", Dispensing(30)));
        using var tooMuch = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/dispensings", Dispensing(1));
        var number = (await JsonAsync(await pharmacist.GetAsync($"/api/prescriptions/{receipt}"))).GetProperty("prescriptionNumber").GetInt64();
        var history = await JsonAsync(await pharmacist.GetAsync($"/api/prescriptions/by-number/{number}/refills"));
        var byDate = await JsonAsync(await pharmacist.GetAsync($"/api/prescriptions?dispensedFrom={Today}&dispensedTo={Today}"));

        Assert.That((first.GetProperty("refillNumber").GetInt32(), refill.GetProperty("refillNumber").GetInt32()), Is.EqualTo((0, 1)));
        Assert.That(tooMuch.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        var problem = JsonDocument.Parse(await tooMuch.Content.ReadAsStringAsync()).RootElement;
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("QuantityExceeded"));
        Assert.That(history.GetProperty("refillsSoFar").GetInt32(), Is.EqualTo(1));
        Assert.That(history.GetProperty("fills").EnumerateArray().Select(f => (f.GetProperty("dateDispensed").GetString(), f.GetProperty("quantity").GetString(), f.GetProperty("dispenser").GetString())),
            Is.EqualTo(new[] { (Today, "30", "SP"), (Today, "30", "SP") }));
        Assert.That(history.GetProperty("drugDescription").GetString(), Is.EqualTo(new SyntheticNewRx().DrugDescription));
        Assert.That(byDate.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("receiptId").GetString()), Is.EqualTo(new[] { receipt.ToString("D") }));
    }

    [Test]
    public async Task Void_and_transfer_end_dispensing_and_a_review_makes_a_prescription_needing_review_dispensable()
    {
        await using var api = await PharmacyApi.CreateAsync();
        var voided = await IngestAsync(api, new SyntheticNewRx { MessageId = "V-1", PrescriberOrderNumber = "O-V" });
        var transferred = await IngestAsync(api, new SyntheticNewRx { MessageId = "T-1", PrescriberOrderNumber = "O-T" });
        var review = await IngestAsync(api, new SyntheticNewRx { MessageId = "N-1", PrescriberOrderNumber = "O-N", SignatureIndicator = null });
        using var pharmacist = await api.UserAsync("pharm1", DefaultRoles.Pharmacist);

        await JsonAsync(await pharmacist.PostAsJsonAsync($"/api/prescriptions/{voided}/void", new { reason = "duplicate order" }));
        await JsonAsync(await pharmacist.PostAsJsonAsync($"/api/prescriptions/{transferred}/transfers", new
        {
            receivingPharmacyName = "Synthetic Pharmacy Two", receivingPharmacyAddress = "2 Example Way", receivingPharmacyDeaNumber = "FB7654321",
            receivingPharmacist = "B. Pharmacist", transferringPharmacist = "A. Pharmacist", date = Today,
        }));
        using var beforeReview = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{review}/dispensings", Dispensing(1));
        await JsonAsync(await pharmacist.PostAsJsonAsync($"/api/prescriptions/{review}/annotations",
            new { type = "PharmacistReview", fields = new Dictionary<string, string> { ["note"] = "confirmed the signature by phone" } }));

        using var afterVoid = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{voided}/dispensings", Dispensing(1));
        using var afterTransfer = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{transferred}/dispensings", Dispensing(1));
        using var afterReview = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{review}/dispensings", Dispensing(1));

        Assert.That(await Code(afterVoid), Is.EqualTo("Voided"));
        Assert.That(await Code(afterTransfer), Is.EqualTo("TransferredOut"));
        Assert.That(await Code(beforeReview), Is.EqualTo("StatusNotDispensable"));
        Assert.That(afterReview.StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task A_correction_shows_beside_the_value_received_and_the_view_carries_the_verification_indication()
    {
        await using var api = await PharmacyApi.CreateAsync();
        var receipt = await IngestAsync(api, new SyntheticNewRx { MessageId = "C-1", Directions = "Take 1 tablet <daily>" });
        using var pharmacist = await api.UserAsync("pharm1", DefaultRoles.Pharmacist);

        await JsonAsync(await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/corrections",
            new { field = "Directions", value = "Take 1 tablet twice daily", reason = "confirmed with the prescriber" }));
        using var badField = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/corrections", new { field = "Nonsense", value = "x", reason = "y" });
        var view = await JsonAsync(await pharmacist.GetAsync($"/api/prescriptions/{receipt}"));
        var asReceived = await (await pharmacist.GetAsync($"/api/prescriptions/{receipt}/as-received")).Content.ReadAsByteArrayAsync();

        var correction = view.GetProperty("corrections")[0];
        Assert.That((correction.GetProperty("asReceived").GetString(), correction.GetProperty("corrected").GetString(), correction.GetProperty("by").GetString()),
            Is.EqualTo(("Take 1 tablet <daily>", "Take 1 tablet twice daily", "pharm1")));
        Assert.That(view.GetProperty("elements").GetProperty("directions").GetString(), Is.EqualTo("Take 1 tablet <daily>"), "as received, unchanged");
        Assert.That(badField.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(view.GetProperty("verificationIndication").GetString(), Does.Contain("Sender indicated the practitioner signed"));
        Assert.That(asReceived, Is.EqualTo(new SyntheticNewRx { MessageId = "C-1", Directions = "Take 1 tablet <daily>" }.ToBytes()));
    }

    [Test]
    [Property("Rule", "1311.205(b)(18)")]
    public async Task No_endpoint_changes_an_archived_row_and_verify_still_holds_after_all_the_work()
    {
        await using var api = await PharmacyApi.CreateAsync();
        var receipt = await IngestAsync(api, new SyntheticNewRx { MessageId = "W-1", ScheduleCode = "C48676", Refills = "2" });
        var before = await SnapshotAsync(api);
        using var pharmacist = await api.UserAsync("pharm1", DefaultRoles.Pharmacist);

        await JsonAsync(await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/annotations", new { type = "Note", fields = new Dictionary<string, string> { ["text"] = "n" } }));
        await JsonAsync(await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/corrections", new { field = "QuantityValue", value = "10", reason = "r" }));
        await JsonAsync(await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/dispensings", Dispensing(5)));
        await JsonAsync(await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/void", new { reason = "patient moved" }));
        var verify = await api.Pharmacy.RunAsync("verify");

        Assert.That(await SnapshotAsync(api), Is.EqualTo(before));
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
    }

    [Test]
    public async Task Records_archived_before_the_prescriptions_table_existed_get_their_rows_on_upgrade()
    {
        await using var api = await PharmacyApi.CreateAsync();
        var first = await IngestAsync(api, new SyntheticNewRx { MessageId = "U-1", PatientLastName = "Upgradeone" });
        var second = await IngestAsync(api, new SyntheticNewRx { MessageId = "U-2", PrescriberOrderNumber = "O-U2", PatientLastName = "Upgradetwo" });
        // As a database from before migration 0007 would look: archived NewRx records without prescriptions rows (and no
        // record of the backfill having run).
        await api.Pharmacy.TamperAsync("DROP TRIGGER prescriptions_no_delete; DELETE FROM prescriptions; DELETE FROM completed_backfills;");

        var upgrade = await api.Pharmacy.RunAsync("roles", "list");
        using var pharmacist = await api.UserAsync("pharm1", DefaultRoles.Pharmacist);
        var found = await JsonAsync(await pharmacist.GetAsync("/api/prescriptions?patient=upgrade&sort=number&descending=false"));

        Assert.That(upgrade.ExitCode, Is.Zero, upgrade.Error);
        Assert.That(found.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("receiptId").GetGuid()), Is.EqualTo(new[] { first, second }));
    }

    [Test]
    public void No_source_file_updates_or_deletes_archived_or_appended_rows()
    {
        var tables = new[] { "prescription_archive", "audit_events", "verification_events", "annotations", "dispensings", "prescriptions", "prescription_details" };
        var offenders = Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "src"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => File.ReadAllLines(file).Select(line => (file, line)))
            .Where(x => tables.Any(t => x.line.Contains($"UPDATE {t} ", StringComparison.OrdinalIgnoreCase)
                || x.line.Contains($"DELETE FROM {t} ", StringComparison.OrdinalIgnoreCase)))
            .Select(x => $"{Path.GetFileName(x.file)}: {x.line.Trim()}");

        Assert.That(offenders, Is.Empty);
    }

    private static async Task<string?> Code(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;

    private static async Task<string> SnapshotAsync(PharmacyApi api)
    {
        await using var connection = new SqliteConnection($"Data Source={api.Pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        var rows = await connection.QueryAsync("SELECT * FROM prescription_archive ORDER BY receipt_id");
        return JsonSerializer.Serialize(rows);
    }
}
