using System.Net.Http.Json;
using PharmacyRx.Host.Api;
using PharmacyRx.Host.Tests.Api;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Receiving;

/// <summary>
/// A CancelRx cancels only a NewRx from the same sender for the same prescriber and patient;
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

        // A CancelRx is matched only within its own sender: another sender's NewRx is not even a candidate.
        Assert.That(attack.Status, Is.EqualTo("NeedsPharmacistReview"));
        Assert.That(attack.ReasonCode, Is.EqualTo("CancelTargetNotFound"));
        Assert.That(attack.Reason, Does.Contain("from this sender"));
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

    [Test]
    public async Task A_NewRx_from_another_sender_under_the_MessageID_a_CancelRx_names_does_not_stop_the_cancellation()
    {
        await using var door = await TwoSenders.StartAsync();
        // The intruder squats the MessageID (and the PrescriberOrderNumber) the gateway's CancelRx will name.
        var squat = await TwoSenders.PostAsync(door.Intruder, new SyntheticNewRx { MessageId = "RX-SQUAT", PrescriberOrderNumber = "ORDER-SQUAT" });
        var cancel = await TwoSenders.PostAsync(door.Gateway, new SyntheticNewRx
        {
            Transaction = "CancelRx", MessageId = "CX-SQUAT", RelatesToMessageId = "RX-SQUAT", PrescriberOrderNumber = "ORDER-SQUAT",
        });

        var prescription = await TwoSenders.PostAsync(door.Gateway, new SyntheticNewRx { MessageId = "RX-SQUAT", PrescriberOrderNumber = "ORDER-SQUAT" });

        Assert.That(cancel.ReasonCode, Is.EqualTo("CancelTargetNotFound"), "another sender's NewRx is never the CancelRx's target");
        var shown = await door.ShowAsync(prescription.ReceiptId);
        Assert.That(shown.GetProperty("dispensable").GetBoolean(), Is.False);
        Assert.That(shown.GetProperty("cancelledByReceiptId").GetString(), Is.EqualTo(cancel.ReceiptId.ToString("D")));
        Assert.That((await door.ShowAsync(squat.ReceiptId)).GetProperty("cancelledByReceiptId").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        Assert.That(await door.CancellationsOfAsync(squat.ReceiptId), Is.Empty);
    }

    [Test]
    public async Task A_CancelRx_waiting_for_its_NewRx_records_the_cancellation_in_the_NewRx_transaction()
    {
        await using var door = await TwoSenders.StartAsync();
        var early = await TwoSenders.PostAsync(door.Gateway, new SyntheticNewRx { Transaction = "CancelRx", MessageId = "CX-WAIT", RelatesToMessageId = "RX-WAIT" });
        Assert.That(early.ReasonCode, Is.EqualTo("CancelTargetNotFound"));

        var prescription = await TwoSenders.PostAsync(door.Gateway, new SyntheticNewRx { MessageId = "RX-WAIT" });

        var cancelled = await door.CancellationsOfAsync(prescription.ReceiptId);
        Assert.That(cancelled, Has.Count.EqualTo(1));
        Assert.That(cancelled[0].Details, Does.Contain(early.ReceiptId.ToString("D")).And.Contain("before it arrived"));
        // The same transaction as the NewRx: the event right after its PrescriptionReceived, at the same time.
        var received = await door.EventAsync("PrescriptionReceived", prescription.ReceiptId);
        Assert.That(cancelled[0].Sequence, Is.EqualTo(received.Sequence + 1));
        Assert.That(cancelled[0].OccurredAt, Is.EqualTo(received.OccurredAt));

        var queue = await door.QueueAsync();
        Assert.That(queue, Does.Contain("cancelled before it arrived"));
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

        /// <summary>The PrescriptionCancelled events naming the receipt, oldest first.</summary>
        public async Task<List<Event>> CancellationsOfAsync(Guid receiptId) =>
            (await EventsAsync("PrescriptionCancelled", receiptId)).ToList();

        public async Task<Event> EventAsync(string type, Guid receiptId) => (await EventsAsync(type, receiptId)).Single();

        /// <summary>The console's queue page, as someone who may read prescriptions sees it.</summary>
        public async Task<string> QueueAsync()
        {
            var added = await _pharmacy.RunAsync("users", "add", "reader", "--full-name", "Synthetic Reader", "--initials", "SR", "--role", "Inspector");
            Assert.That(added.ExitCode, Is.Zero, added.Error);
            var password = added.JsonLines[0].GetProperty("password").GetString()!;
            using var client = _service.Client();
            using var login = await client.PostAsJsonAsync("/api/sessions", new { userName = "reader", password });
            var token = (await login.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("token").GetString();
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var change = await client.PutAsJsonAsync("/api/me/password", new { currentPassword = password, newPassword = password + "-Changed-7q" });
            Assert.That(change.IsSuccessStatusCode, Is.True, await change.Content.ReadAsStringAsync());
            return await client.GetStringAsync("/queue");
        }

        private async Task<IEnumerable<Event>> EventsAsync(string type, Guid receiptId)
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_pharmacy.Data.DatabasePath};Mode=ReadOnly;Pooling=False");
            return await Dapper.SqlMapper.QueryAsync<Event>(connection,
                "SELECT sequence, occurred_at AS OccurredAt, details FROM audit_events WHERE event_type = @type AND target = @target ORDER BY sequence",
                new { type, target = receiptId.ToString("D") });
        }

        public sealed record Event(long Sequence, string OccurredAt, string Details);

        public async ValueTask DisposeAsync()
        {
            Gateway.Dispose();
            Intruder.Dispose();
            await _service.DisposeAsync();
            _pharmacy.Dispose();
        }
    }
}
