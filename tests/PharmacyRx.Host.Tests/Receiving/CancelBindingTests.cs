using System.Net.Http.Json;
using PharmacyRx.Host.Api;
using PharmacyRx.Host.Tests.Api;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Receiving;

/// <summary>
/// Issue 11, finding 1: a CancelRx cancels only a NewRx from the same sender for the same prescriber and patient;
/// anything else goes to the pharmacist and cancels nothing anywhere. Real HTTP on loopback.
/// </summary>
public class CancelBindingTests
{
    [Test]
    public async Task A_CancelRx_from_another_sender_with_another_prescriber_and_no_patient_cancels_nothing()
    {
        await using var door = await TwoSenders.StartAsync();
        var victim = await TwoSenders.PostAsync(door.Gateway, new SyntheticNewRx { MessageId = "VICTIM-1" });

        var attack = await TwoSenders.PostAsync(door.Intruder, new SyntheticNewRx
        {
            Transaction = "CancelRx", MessageId = "EVIL-1", RelatesToMessageId = "VICTIM-1", PrescriberOrderNumber = "",
            SignatureIndicator = null, PatientLastName = "", PatientFirstName = "", PatientBirthDate = "", DeaNumber = "BX9999999", Npi = "",
        });

        Assert.That(attack.Status, Is.EqualTo("NeedsPharmacistReview"));
        Assert.That(attack.ReasonCode, Is.EqualTo("CancelNotBinding"));
        Assert.That(attack.Reason, Does.Contain("sender").And.Contain("prescriber").And.Contain("patient name").And.Contain("date of birth"));
        var shown = await door.ShowAsync(victim.ReceiptId);
        Assert.That(shown.GetProperty("dispensable").GetBoolean(), Is.True);
        Assert.That(shown.GetProperty("cancelledByReceiptId").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
    }

    [Test]
    public async Task A_CancelRx_from_the_same_sender_for_another_patient_cancels_nothing()
    {
        await using var door = await TwoSenders.StartAsync();
        var prescription = await TwoSenders.PostAsync(door.Gateway, new SyntheticNewRx { MessageId = "RX-DOB" });

        var cancel = await TwoSenders.PostAsync(door.Gateway, new SyntheticNewRx
        {
            Transaction = "CancelRx", MessageId = "CX-DOB", RelatesToMessageId = "RX-DOB", PatientBirthDate = "1980-02-02",
        });

        Assert.That(cancel.ReasonCode, Is.EqualTo("CancelNotBinding"));
        Assert.That(cancel.Reason, Does.Contain("patient date of birth").And.Not.Contain("prescriber"));
        Assert.That((await door.ShowAsync(prescription.ReceiptId)).GetProperty("dispensable").GetBoolean(), Is.True);
    }

    [Test]
    public async Task A_CancelRx_from_the_same_sender_for_the_same_prescriber_by_NPI_and_patient_cancels()
    {
        await using var door = await TwoSenders.StartAsync();
        var prescription = await TwoSenders.PostAsync(door.Gateway, new SyntheticNewRx { MessageId = "RX-OK" });

        var cancel = await TwoSenders.PostAsync(door.Gateway, new SyntheticNewRx
        {
            Transaction = "CancelRx", MessageId = "CX-OK", RelatesToMessageId = "RX-OK", DeaNumber = "",
        });

        Assert.That(cancel.Status, Is.EqualTo("ReceiptSigned"));
        var shown = await door.ShowAsync(prescription.ReceiptId);
        Assert.That(shown.GetProperty("dispensable").GetBoolean(), Is.False);
        Assert.That(shown.GetProperty("cancelledByReceiptId").GetString(), Is.EqualTo(cancel.ReceiptId.ToString("D")));
    }

    [Test]
    public async Task A_CancelRx_from_another_sender_that_arrives_first_does_not_cancel_the_prescription_later()
    {
        await using var door = await TwoSenders.StartAsync();
        var early = await TwoSenders.PostAsync(door.Intruder, new SyntheticNewRx { Transaction = "CancelRx", MessageId = "EVIL-EARLY", RelatesToMessageId = "RX-LATER" });

        var prescription = await TwoSenders.PostAsync(door.Gateway, new SyntheticNewRx { MessageId = "RX-LATER" });

        Assert.That(early.ReasonCode, Is.EqualTo("CancelTargetNotFound"));
        var shown = await door.ShowAsync(prescription.ReceiptId);
        Assert.That(shown.GetProperty("dispensable").GetBoolean(), Is.True);
        Assert.That(shown.GetProperty("cancelledByReceiptId").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
    }

    [Test]
    public async Task A_CancelRx_from_the_same_sender_that_arrives_first_still_cancels_its_prescription()
    {
        await using var door = await TwoSenders.StartAsync();
        var early = await TwoSenders.PostAsync(door.Gateway, new SyntheticNewRx { Transaction = "CancelRx", MessageId = "CX-EARLY", RelatesToMessageId = "RX-LATE" });

        var prescription = await TwoSenders.PostAsync(door.Gateway, new SyntheticNewRx { MessageId = "RX-LATE" });

        var shown = await door.ShowAsync(prescription.ReceiptId);
        Assert.That(shown.GetProperty("dispensable").GetBoolean(), Is.False);
        Assert.That(shown.GetProperty("cancelledByReceiptId").GetString(), Is.EqualTo(early.ReceiptId.ToString("D")));
    }

    /// <summary>A running pharmacy with two senders: the prescriber's gateway and an intruder holding a key of its own.</summary>
    private sealed class TwoSenders : IAsyncDisposable
    {
        private readonly InstalledPharmacy _pharmacy;
        private readonly RunningService _service;

        private TwoSenders(InstalledPharmacy pharmacy, RunningService service, string gatewayKey, string intruderKey)
        {
            _pharmacy = pharmacy;
            _service = service;
            Gateway = service.Client(gatewayKey);
            Intruder = service.Client(intruderKey);
        }

        public HttpClient Gateway { get; }

        public HttpClient Intruder { get; }

        public static async Task<TwoSenders> StartAsync()
        {
            var pharmacy = await InstalledPharmacy.CreateAsync();
            var gateway = await pharmacy.AddSenderAsync("gateway");
            var intruder = await pharmacy.AddSenderAsync("intruder");
            return new TwoSenders(pharmacy, await RunningService.StartAsync(pharmacy), gateway, intruder);
        }

        public static async Task<InboundApi.InboundResponse> PostAsync(HttpClient sender, SyntheticNewRx message)
        {
            using var response = await sender.PostAsync("/api/inbound", SenderAuthenticationTests.Xml(message.ToBytes()));
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<InboundApi.InboundResponse>())!;
        }

        public async Task<System.Text.Json.JsonElement> ShowAsync(Guid receiptId)
        {
            var shown = await _pharmacy.RunAsync("show", receiptId.ToString("D"), "--format", "json");
            Assert.That(shown.ExitCode, Is.Zero, shown.Error);
            return shown.JsonLines[0];
        }

        public async ValueTask DisposeAsync()
        {
            Gateway.Dispose();
            Intruder.Dispose();
            await _service.DisposeAsync();
            _pharmacy.Dispose();
        }
    }
}
