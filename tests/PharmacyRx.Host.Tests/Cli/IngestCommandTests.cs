using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Cli;

public class IngestCommandTests
{
    private static readonly System.Xml.Linq.XNamespace Ns = SyntheticNewRx.Script;

    [Test]
    [Property("Rule", "1311.205(b)(3)")]
    public async Task Archives_each_message_with_its_status_and_prints_one_line_per_file()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var signatureBlock = new System.Xml.Linq.XElement(Ns + "DigitalSignature", new System.Xml.Linq.XElement(Ns + "SignatureValue", "c2ln"));

        var run = await pharmacy.IngestAsync(
            new SyntheticNewRx { MessageId = "S-1" },
            new SyntheticNewRx { MessageId = "S-2", SignatureIndicator = null },
            new SyntheticNewRx { MessageId = "S-3", PatientAddress = false },
            new SyntheticNewRx { MessageId = "S-4", SignatureBlock = signatureBlock },
            new SyntheticNewRx { MessageId = "S-5", Transaction = "RxRenewalRequest" });

        Assert.That(run.ExitCode, Is.Zero, run.Error);
        var lines = run.JsonLines;
        Assert.That(lines.Select(l => l.GetProperty("messageId").GetString()), Is.EqualTo(new[] { "S-1", "S-2", "S-3", "S-4", "S-5" }));
        Assert.That(lines.Select(l => l.GetProperty("status").GetString()), Is.EqualTo(new[]
        {
            "ReceiptSigned", "NeedsPharmacistReview", "NeedsPharmacistReview", "Invalid", "Rejected",
        }));
        Assert.That(lines[3].GetProperty("reasonCode").GetString(), Is.EqualTo("SignatureMalformed"));
        Assert.That(lines[2].GetProperty("reason").GetString(), Does.Contain("PatientAddressLine1"));
        Assert.That(lines[4].GetProperty("reason").GetString(), Does.Contain("RxRenewalRequest"));
        Assert.That(lines.All(l => Guid.TryParse(l.GetProperty("receiptId").GetString(), out _)), Is.True);
    }

    [Test]
    public async Task Archives_unreadable_bytes_as_rejected_with_the_reason()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var file = pharmacy.WriteMessage("garbage.xml", "<Message><Header>"u8.ToArray());

        var run = await pharmacy.RunAsync("ingest", file);

        Assert.That(run.ExitCode, Is.Zero, "a rejected message is still an archived one");
        Assert.That(run.JsonLines[0].GetProperty("status").GetString(), Is.EqualTo("Rejected"));
        var shown = await pharmacy.RunAsync("show", run.JsonLines[0].GetProperty("receiptId").GetString()!, "--format", "json");
        Assert.That(shown.JsonLines[0].GetProperty("reasonCode").GetString(), Is.EqualTo("WrongNamespace"));
    }

    [Test]
    public async Task The_same_message_again_makes_no_second_record_and_returns_the_first_outcome()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var first = (await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "DUP-1" })).JsonLines[0];

        // The same bytes from the same sender; different bytes under the MessageID are a record of their own (MessageIdentityTests).
        var again = (await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "DUP-1" })).JsonLines[0];

        Assert.That(again.GetProperty("receiptId").GetString(), Is.EqualTo(first.GetProperty("receiptId").GetString()));
        Assert.That(again.GetProperty("status").GetString(), Is.EqualTo("ReceiptSigned"));
        Assert.That(again.GetProperty("duplicate").GetBoolean(), Is.True);
        var verify = await pharmacy.RunAsync("verify");
        Assert.That(verify.Output, Does.Contain("OK: 1 records"));
    }

    [Test]
    public async Task A_CancelRx_links_to_its_prescription_and_makes_it_not_dispensable()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var prescription = (await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "RX-9" })).JsonLines[0].GetProperty("receiptId").GetString()!;
        var before = (await pharmacy.RunAsync("show", "RX-9", "--format", "json")).JsonLines[0];

        var cancel = (await pharmacy.IngestAsync(new SyntheticNewRx { Transaction = "CancelRx", MessageId = "CX-9", RelatesToMessageId = "RX-9" })).JsonLines[0];
        var after = (await pharmacy.RunAsync("show", "RX-9", "--format", "json")).JsonLines[0];
        var cancelShown = (await pharmacy.RunAsync("show", "CX-9", "--format", "json")).JsonLines[0];

        Assert.That(before.GetProperty("dispensable").GetBoolean(), Is.True);
        Assert.That(after.GetProperty("dispensable").GetBoolean(), Is.False);
        Assert.That(after.GetProperty("cancelledByReceiptId").GetString(), Is.EqualTo(cancel.GetProperty("receiptId").GetString()));
        Assert.That(cancelShown.GetProperty("cancelsReceiptId").GetString(), Is.EqualTo(prescription));
    }

    [Test]
    public async Task A_CancelRx_found_by_prescriber_order_number_links_too()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "RX-10", PrescriberOrderNumber = "ORD-77" });

        await pharmacy.IngestAsync(new SyntheticNewRx { Transaction = "CancelRx", MessageId = "CX-10", PrescriberOrderNumber = "ORD-77" });

        var after = (await pharmacy.RunAsync("show", "RX-10", "--format", "json")).JsonLines[0];
        Assert.That(after.GetProperty("dispensable").GetBoolean(), Is.False);
    }

    [Test]
    public async Task A_CancelRx_that_arrives_before_its_prescription_still_cancels_it()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var cancel = (await pharmacy.IngestAsync(new SyntheticNewRx { Transaction = "CancelRx", MessageId = "CX-EARLY", RelatesToMessageId = "RX-LATE" })).JsonLines[0];

        await pharmacy.IngestAsync(new SyntheticNewRx { MessageId = "RX-LATE", PrescriberOrderNumber = "ORD-LATE" });
        var prescription = (await pharmacy.RunAsync("show", "RX-LATE", "--format", "json")).JsonLines[0];

        Assert.That(prescription.GetProperty("dispensable").GetBoolean(), Is.False);
        Assert.That(prescription.GetProperty("cancelledByReceiptId").GetString(), Is.EqualTo(cancel.GetProperty("receiptId").GetString()));
    }

    [Test]
    public async Task A_CancelRx_for_an_unknown_prescription_goes_to_the_pharmacist()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();

        var cancel = (await pharmacy.IngestAsync(new SyntheticNewRx { Transaction = "CancelRx", MessageId = "CX-11", RelatesToMessageId = "NOPE", PrescriberOrderNumber = "NOPE" })).JsonLines[0];

        Assert.That(cancel.GetProperty("status").GetString(), Is.EqualTo("NeedsPharmacistReview"));
        Assert.That(cancel.GetProperty("reasonCode").GetString(), Is.EqualTo("CancelTargetNotFound"));
    }

    [Test]
    public async Task Exits_non_zero_only_for_a_file_that_could_not_be_archived()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var good = pharmacy.WriteMessage("good.xml", new SyntheticNewRx { MessageId = "OK-1" }.ToBytes());

        var run = await pharmacy.RunAsync("ingest", good, Path.Combine(pharmacy.Folder, "missing.xml"));

        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.JsonLines.Select(l => l.GetProperty("status").GetString()), Is.EqualTo(new[] { "ReceiptSigned", "NotArchived" }));
    }
}
