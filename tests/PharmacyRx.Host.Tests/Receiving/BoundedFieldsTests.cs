using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Api;
using PharmacyRx.Host.Tests.Api;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Receiving;

/// <summary>
/// One bound for the identifiers and names a message brings, the same on both engines: SQL Server's indexed
/// columns are as wide as an index key may be, so a field past the bound is refused at the door, archived as Rejected
/// with the reason and identified by its bytes, never a failure that leaves the message unarchived.
/// </summary>
public class BoundedFieldsTests
{
    [Test]
    public async Task A_NewRx_with_a_2000_character_MessageID_posted_over_HTTP_is_archived_Rejected_with_that_reason()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var key = await pharmacy.AddSenderAsync("gateway");
        await using var service = await RunningService.StartAsync(pharmacy);
        using var http = service.Client(key);
        var message = new SyntheticNewRx { MessageId = new string('M', 2000) }.ToBytes();

        using var first = await http.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(message));
        using var again = await http.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(message));

        var outcome = await first.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
        var repeat = await again.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(outcome!.Status, Is.EqualTo("Rejected"));
        Assert.That(outcome.ReasonCode, Is.EqualTo("FieldTooLong"));
        Assert.That(outcome.Reason, Is.EqualTo("Header/MessageID is 2000 characters; at most 255 are accepted"));
        Assert.That(repeat, Is.EqualTo(outcome with { Duplicate = true }), "the same bytes again are the duplicate, found by their bytes");
        var row = await RowAsync(pharmacy, outcome.ReceiptId);
        Assert.That(row.MessageId, Is.Empty, "no column holds the over-long MessageID");
        Assert.That(row.DedupeKey, Does.StartWith("raw:"), "identified by its sender and bytes, not by the MessageID");
        var verify = await pharmacy.RunAsync("verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
    }

    [TestCase(nameof(SyntheticNewRx.RelatesToMessageId), "Header/RelatesToMessageID")]
    [TestCase(nameof(SyntheticNewRx.PrescriberOrderNumber), "Header/PrescriberOrderNumber")]
    [TestCase(nameof(SyntheticNewRx.PatientLastName), "Patient/Name/LastName")]
    [TestCase(nameof(SyntheticNewRx.PrescriberFirstName), "Prescriber/Name/FirstName")]
    [TestCase(nameof(SyntheticNewRx.DrugDescription), "MedicationPrescribed/DrugDescription")]
    public async Task Every_bounded_field_past_its_bound_is_archived_Rejected_naming_it(string property, string field)
    {
        await using var pharmacy = await Verification.VerifyingPharmacy.CreateAsync();
        var longest = new string('x', 255);
        var tooLong = new string('x', 256);

        var accepted = await pharmacy.ReceiveAsync(With(property, longest));
        var refused = await pharmacy.ReceiveAsync(With(property, tooLong));

        Assert.That(accepted.Status, Is.Not.EqualTo(PrescriptionStatus.Rejected), "255 characters are accepted");
        Assert.That(refused.Status, Is.EqualTo(PrescriptionStatus.Rejected));
        Assert.That(refused.Reason, Is.EqualTo($"{field} is 256 characters; at most 255 are accepted"));
    }

    private static SyntheticNewRx With(string property, string value) => property switch
    {
        nameof(SyntheticNewRx.RelatesToMessageId) => new() { MessageId = "REL-" + value.Length, RelatesToMessageId = value },
        nameof(SyntheticNewRx.PrescriberOrderNumber) => new() { MessageId = "ORD-" + value.Length, PrescriberOrderNumber = value },
        nameof(SyntheticNewRx.PatientLastName) => new() { MessageId = "PAT-" + value.Length, PatientLastName = value },
        nameof(SyntheticNewRx.PrescriberFirstName) => new() { MessageId = "PRE-" + value.Length, PrescriberFirstName = value },
        _ => new() { MessageId = "DRUG-" + value.Length, DrugDescription = value },
    };

    private sealed record ArchivedRow(string MessageId, string DedupeKey);

    private static async Task<ArchivedRow> RowAsync(InstalledPharmacy pharmacy, Guid receiptId)
    {
        await using var connection = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        return await connection.QuerySingleAsync<ArchivedRow>(
            "SELECT COALESCE(message_id, '') AS MessageId, dedupe_key AS DedupeKey FROM prescription_archive WHERE receipt_id = @Id",
            new { Id = receiptId.ToString("D") });
    }
}
