using System.Net;
using System.Net.Http.Json;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Keys;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Api;

/// <summary>
/// Over real HTTP on loopback: a prescription for a drug that is not a controlled substance is
/// sealed on receipt and dispensed as authorized; the EPCS rules are for controlled substances (1311.200(a)).
/// </summary>
public class NotControlledPrescriptionTests
{
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public async Task A_non_controlled_NewRx_posted_by_a_sender_is_sealed_on_receipt_and_dispensed_with_every_refill_authorized()
    {
        await using var pharmacy = await LoopbackPharmacy.StartAsync();
        var key = await pharmacy.Pharmacy.AddSenderAsync("gateway");
        using var admin = await pharmacy.SignedInAsync("admin");
        using var created = await pharmacy.CreateUserAsync(admin, "pharm1", DefaultRoles.Pharmacist);
        using var pharmacist = await pharmacy.SignedInAsync("pharm1");
        using var sender = pharmacy.Service.Client(key);
        // Six refills: more than a Schedule III or IV prescription may have (1306.22(a)); none of that applies here.
        var message = SyntheticNewRx.NotControlled with { MessageId = "AMOX-1", Version = "2023011", ProductCodeQualifierAttribute = true, Refills = "6" };

        using var posted = await sender.PostAsync("/api/inbound", new ByteArrayContent(message.ToBytes()));
        var outcome = await PrescriptionApiTests.JsonAsync(posted);
        var receipt = outcome.GetProperty("receiptId").GetGuid();
        var view = await PrescriptionApiTests.JsonAsync(await pharmacist.GetAsync($"/api/prescriptions/{receipt}"));
        var fills = new List<HttpStatusCode>();
        for (var fill = 0; fill < 8; fill++)
        {
            using var dispensed = await pharmacist.PostAsJsonAsync($"/api/prescriptions/{receipt}/dispensings", new { quantity = 30, dateDispensed = Today, dispenser = "SP" });
            fills.Add(dispensed.StatusCode);
        }

        Assert.That(outcome.GetProperty("status").GetString(), Is.EqualTo("ReceiptSigned"));
        Assert.That(outcome.GetProperty("reasonCode").GetString(), Is.EqualTo(ReceiptDecision.NotControlled));
        Assert.That(view.GetProperty("dispensable").GetBoolean(), Is.True);
        Assert.That(view.GetProperty("verificationIndication").GetString(), Does.StartWith("Not a controlled substance"));
        Assert.That(fills.Take(7), Is.All.EqualTo(HttpStatusCode.Created), "the original fill and six refills");
        Assert.That(fills[7], Is.Not.EqualTo(HttpStatusCode.Created), "past what was authorized");
    }

    [Test]
    public async Task A_non_controlled_record_sent_for_review_before_this_rule_still_verifies_unaltered()
    {
        using var installed = await InstalledPharmacy.CreateAsync();
        await using (var service = await RunningService.StartAsync(installed))
        {
            // What the pipeline archived for an ordinary prescription before non-controlled ones were sealed on receipt.
            var entry = UnsealedEntry.From((SyntheticNewRx.NotControlled with { MessageId = "OLD-AMOX-1" }).ToBytes());
            var earlier = new ReceiptDecision(PrescriptionStatus.NeedsPharmacistReview, ReceiptDecision.SignatureIndicatorAbsent,
                "DigitalSignatureIndicator is absent or false: the pharmacist must verify that the practitioner signed (1311.205(b)(6)(ii))", []);
            var key = service.Services.GetRequiredService<PharmacySigningKey>();
            var seal = key.Sign(ReceiptSeal.Content(entry.ReceiptId, entry.ReceivedAt, entry.AsReceivedSha256, earlier.Status.ToString(),
                earlier.ReasonCode, SignedElements.Format(entry.Message!.Elements)));
            await service.Services.GetRequiredService<ArchiveWriter>().AppendAsync(
                entry with { Decision = earlier, ReceiptSignature = seal, SignerThumbprint = key.Thumbprint }, CancellationToken.None);
        }

        var verify = await installed.RunAsync("verify");

        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
    }
}
