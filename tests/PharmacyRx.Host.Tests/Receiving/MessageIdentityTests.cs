using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using PharmacyRx.Host.Api;
using PharmacyRx.Host.Tests.Api;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Receiving;

/// <summary>
/// A message is (sender, MessageID) plus its bytes. Nothing received is dropped, and no sender
/// pre-empts another's MessageID. Real HTTP on loopback, checked on the SQLite file.
/// </summary>
public class MessageIdentityTests
{
    [Test]
    public async Task A_squatted_MessageID_does_not_drop_the_real_prescription_from_another_sender()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var intruderKey = await pharmacy.AddSenderAsync("intruder");
        var gatewayKey = await pharmacy.AddSenderAsync("gateway");
        await using var service = await RunningService.StartAsync(pharmacy);
        using var intruder = service.Client(intruderKey);
        using var gateway = service.Client(gatewayKey);
        var squat = new SyntheticNewRx { MessageId = "REAL-1", Quantity = "1" }.ToBytes();
        var real = new SyntheticNewRx { MessageId = "REAL-1" }.ToBytes();

        using var first = await intruder.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(squat));
        using var second = await gateway.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(real));

        var squatted = await first.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
        var kept = await second.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(kept!.Duplicate, Is.False);
        Assert.That(kept.Status, Is.EqualTo("ReceiptSigned"), "another sender's MessageID is another message");
        Assert.That(await AsReceivedAsync(pharmacy, kept.ReceiptId), Is.EqualTo(real), "the real one is archived with its own bytes");
        Assert.That(await AsReceivedAsync(pharmacy, squatted!.ReceiptId), Is.EqualTo(squat));
    }

    [Test]
    public async Task Different_bytes_under_a_MessageID_the_same_sender_used_are_archived_for_review_and_linked_to_the_first()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var key = await pharmacy.AddSenderAsync("gateway");
        await using var service = await RunningService.StartAsync(pharmacy);
        using var http = service.Client(key);
        var original = new SyntheticNewRx { MessageId = "SAME-1" }.ToBytes();
        var altered = new SyntheticNewRx { MessageId = "SAME-1", Quantity = "90" }.ToBytes();

        using var first = await http.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(original));
        using var reused = await http.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(altered));
        using var repeat = await http.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(original));

        var firstOutcome = await first.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
        var reusedOutcome = await reused.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
        var repeatOutcome = await repeat.Content.ReadFromJsonAsync<InboundApi.InboundResponse>();
        Assert.That(reused.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(reusedOutcome!.ReceiptId, Is.Not.EqualTo(firstOutcome!.ReceiptId));
        Assert.That(reusedOutcome.Status, Is.EqualTo("NeedsPharmacistReview"));
        Assert.That(reusedOutcome.ReasonCode, Is.EqualTo("MessageIdReused"));
        Assert.That(reusedOutcome.Reason, Does.Contain("MessageID reused with different content").And.Contain(firstOutcome.ReceiptId.ToString("D")));
        Assert.That(await AsReceivedAsync(pharmacy, reusedOutcome.ReceiptId), Is.EqualTo(altered));
        Assert.That(repeat.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the same bytes again are a duplicate");
        Assert.That(repeatOutcome, Is.EqualTo(firstOutcome with { Duplicate = true }));
        var verify = await pharmacy.RunAsync("verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
    }

    private static async Task<byte[]> AsReceivedAsync(InstalledPharmacy pharmacy, Guid receiptId)
    {
        await using var connection = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
        return await connection.QuerySingleAsync<byte[]>("SELECT as_received FROM prescription_archive WHERE receipt_id = @Id", new { Id = receiptId.ToString("D") });
    }
}
