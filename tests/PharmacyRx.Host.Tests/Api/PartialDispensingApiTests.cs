using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PharmacyRx.Host.Tests.Integrity;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// A partial fill of a Schedule II prescription over HTTP, read by the policy the console's dispense form is read by
/// (DispensingInput): why it is partial is recorded (1306.13(a), 21 U.S.C. 829(f)), and a basis it does not name is refused.
/// </summary>
public class PartialDispensingApiTests
{
    [Test]
    [Property("Rule", "1311.205(b)(10)")]
    public async Task A_pharmacist_records_a_partial_fill_and_why_through_the_api_as_through_the_console()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var run = await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "PARTIAL-API", Quantity = "20" });
        Assert.That(run.ExitCode, Is.Zero, run.Error);
        var receipt = run.JsonLines[0].GetProperty("receiptId").GetGuid();
        await using var service = await RunningService.StartAsync(pharmacy);
        using var pharmacist = await CoverageAttackTests.PharmacistAsync(pharmacy, service);
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Task<HttpResponseMessage> DispenseAsync(int quantity, string? partial) =>
            pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/dispensings", new { quantity, dateDispensed = today, dispenser = "SP", partial });

        using var unknown = await DispenseAsync(5, "Sometimes");
        using var whole = await DispenseAsync(20, "UnableToSupply");
        using var partial = await DispenseAsync(5, "RequestedByPatientOrPrescriber");

        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString(), Is.EqualTo("UnknownPartialBasis"));
        Assert.That(await CoverageAttackTests.CodeAsync(whole), Is.EqualTo("NotPartial"));
        Assert.That(partial.StatusCode, Is.EqualTo(HttpStatusCode.Created), await partial.Content.ReadAsStringAsync());
        var annotations = JsonDocument.Parse(await pharmacist.GetStringAsync($"/api/prescriptions/{receipt}/annotations")).RootElement;
        Assert.That(annotations.EnumerateArray().Where(a => a.GetProperty("type").GetString() == "PartialFill")
            .Select(a => a.GetProperty("fields").GetProperty("basis").GetString()), Is.EqualTo(new[] { "RequestedByPatientOrPrescriber" }));
    }
}
