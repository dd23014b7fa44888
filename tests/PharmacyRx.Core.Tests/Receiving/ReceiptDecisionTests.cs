using PharmacyRx.Core.Receiving;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Receiving;

public class ReceiptDecisionTests
{
    private static ReceiptDecision Decide(SyntheticNewRx message) => ReceiptDecision.Decide(new ScriptMessageReader().Read(message.ToBytes()));

    [Test]
    [Property("Rule", "1311.205(b)(6)")]
    [Property("Rule", "1311.210(a)")]
    public void Indicator_with_every_element_is_signed_on_receipt()
    {
        Assert.That(Decide(new SyntheticNewRx()).Status, Is.EqualTo(PrescriptionStatus.ReceiptSigned));
    }

    [TestCase(false)]
    [TestCase(null)]
    [Property("Rule", "1311.205(b)(6)")]
    public void Indicator_false_or_absent_needs_the_pharmacist(bool? indicator)
    {
        var decision = Decide(new SyntheticNewRx { SignatureIndicator = indicator });

        Assert.That(decision.Status, Is.EqualTo(PrescriptionStatus.NeedsPharmacistReview));
        Assert.That(decision.ReasonCode, Is.EqualTo(ReceiptDecision.SignatureIndicatorAbsent));
    }

    [Test]
    [Property("Rule", "1311.205(b)(9)")]
    public void A_controlled_prescription_missing_an_element_needs_the_pharmacist_and_names_it()
    {
        var decision = Decide(new SyntheticNewRx { PatientAddress = false });

        Assert.That(decision.Status, Is.EqualTo(PrescriptionStatus.NeedsPharmacistReview));
        Assert.That(decision.MissingElements, Is.EqualTo(new[] { "PatientAddressLine1", "PatientCity", "PatientStateProvince", "PatientPostalCode" }));
        Assert.That(decision.Reason, Does.Contain("PatientAddressLine1"));
    }

    [Test]
    public void A_prescription_that_is_not_controlled_needs_no_DEA_elements()
    {
        Assert.That(Decide(new SyntheticNewRx { ScheduleCode = "", PatientAddress = false, DeaNumber = "" }).Status,
            Is.EqualTo(PrescriptionStatus.ReceiptSigned));
    }

    [Test]
    public void A_practitioner_signature_waits_for_its_revocation_check()
    {
        var ns = SyntheticNewRx.Script;
        var block = new System.Xml.Linq.XElement(ns + "DigitalSignature", new System.Xml.Linq.XElement(ns + "SignatureValue", "c2ln"));

        Assert.That(Decide(new SyntheticNewRx { SignatureBlock = block }).Status, Is.EqualTo(PrescriptionStatus.PendingRevocationCheck));
    }

    [Test]
    public void An_unreadable_message_is_rejected_with_its_reason()
    {
        var decision = ReceiptDecision.Decide(new ScriptMessageReader().Read("not xml"u8.ToArray()));

        Assert.That(decision.Status, Is.EqualTo(PrescriptionStatus.Rejected));
        Assert.That(decision.ReasonCode, Is.EqualTo(nameof(RejectionCode.MalformedXml)));
    }

    [Test]
    public void Only_verified_intermediary_signed_and_receipt_signed_are_dispensable_on_receipt()
    {
        var dispensable = Enum.GetValues<PrescriptionStatus>().Where(s => s.IsDispensableOnReceipt());

        Assert.That(dispensable, Is.EquivalentTo(new[]
        {
            PrescriptionStatus.VerifiedOnReceipt, PrescriptionStatus.IntermediarySigned, PrescriptionStatus.ReceiptSigned,
        }));
    }
}
