using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Receiving;

/// <summary>
/// Messages shaped like a pharmacy's real traffic (SCRIPT 2017071 and 2023011, both ProductCode
/// qualifier forms, free-text and structured Sig). Most prescriptions are not for controlled substances; the EPCS checks
/// apply only to those whose DEASchedule says controlled.
/// </summary>
public class RealTrafficTests
{
    private static readonly string[] Versions = ["2017071", "2023011"];

    private static IEnumerable<TestCaseData> Shapes() =>
        from version in Versions
        from attribute in new[] { false, true }
        from structured in new[] { false, true }
        select new TestCaseData(version, attribute, structured);

    private static ReadResult Read(SyntheticNewRx message) => new ScriptMessageReader().Read(message.ToBytes());

    [TestCaseSource(nameof(Shapes))]
    public void A_NewRx_for_a_drug_that_is_not_controlled_is_sealed_on_receipt_without_signature_or_indicator(string version, bool qualifierAttribute, bool structuredSig)
    {
        var read = Read(SyntheticNewRx.NotControlled with { Version = version, ProductCodeQualifierAttribute = qualifierAttribute, StructuredSig = structuredSig });

        var decision = ReceiptDecision.Decide(read);

        Assert.That(read.Message!.Elements.Directions, Is.EqualTo("Take 1 capsule by mouth three times daily for 10 days"));
        Assert.That((decision.Status, decision.ReasonCode), Is.EqualTo((PrescriptionStatus.ReceiptSigned, ReceiptDecision.NotControlled)));
        Assert.That(decision.Reason, Does.Contain("not a controlled substance"));
        Assert.That(decision.Status.IsDispensableOnReceipt(), Is.True);
        Assert.That(decision.MissingElements, Is.Empty);
    }

    [TestCase(false)]
    [TestCase(null)]
    public void A_non_controlled_NewRx_with_the_indicator_false_or_absent_is_sealed_all_the_same(bool? indicator)
    {
        var decision = ReceiptDecision.Decide(Read(SyntheticNewRx.NotControlled with { SignatureIndicator = indicator }));

        Assert.That(decision.Status, Is.EqualTo(PrescriptionStatus.ReceiptSigned));
    }

    private static IEnumerable<TestCaseData> ControlledShapes() =>
        from version in Versions
        from code in new[] { "C48672", "C48675", "C48676", "C48677", "C48679", "C38046", "C99999" }
        select new TestCaseData(version, code);

    [TestCaseSource(nameof(ControlledShapes))]
    public void A_controlled_NewRx_without_the_indicator_still_goes_to_the_pharmacist(string version, string code)
    {
        var decision = ReceiptDecision.Decide(Read(new SyntheticNewRx { Version = version, ScheduleCode = code, SignatureIndicator = null }));

        Assert.That((decision.Status, decision.ReasonCode), Is.EqualTo((PrescriptionStatus.NeedsPharmacistReview, ReceiptDecision.SignatureIndicatorAbsent)));
    }

    [TestCaseSource(nameof(Shapes))]
    public void A_controlled_NewRx_with_the_indicator_and_every_element_is_signed_on_receipt(string version, bool qualifierAttribute, bool structuredSig)
    {
        var decision = ReceiptDecision.Decide(Read(new SyntheticNewRx { Version = version, ProductCodeQualifierAttribute = qualifierAttribute, StructuredSig = structuredSig }));

        Assert.That((decision.Status, decision.ReasonCode), Is.EqualTo((PrescriptionStatus.ReceiptSigned, "")));
    }

    [TestCase("2017071")]
    [TestCase("2023011")]
    public void A_controlled_NewRx_missing_the_prescriber_DEA_number_needs_the_pharmacist_and_names_it(string version)
    {
        var decision = ReceiptDecision.Decide(Read(new SyntheticNewRx { Version = version, DeaNumber = "" }));

        Assert.That(decision.Status, Is.EqualTo(PrescriptionStatus.NeedsPharmacistReview));
        Assert.That(decision.MissingElements, Is.EqualTo(new[] { "PrescriberDEANumber" }));
    }

    [Test]
    public void An_unspecified_or_unknown_schedule_is_held_to_Schedule_II_rules()
    {
        Assert.That(Read(new SyntheticNewRx { ScheduleCode = "C38046" }).Message!.Elements.Schedule, Is.EqualTo(DeaSchedule.Unspecified));
        Assert.That(Read(new SyntheticNewRx { ScheduleCode = "C99999" }).Message!.Elements.Schedule, Is.EqualTo(DeaSchedule.Unspecified));
        Assert.That(Read(SyntheticNewRx.NotControlled).Message!.Elements.Schedule, Is.Null);
    }

    [Test]
    public void A_practitioner_signature_on_a_non_controlled_NewRx_is_still_verified()
    {
        var ns = SyntheticNewRx.Script;
        var block = new System.Xml.Linq.XElement(ns + "DigitalSignature", new System.Xml.Linq.XElement(ns + "SignatureValue", "c2ln"));

        var decision = ReceiptDecision.Decide(Read(SyntheticNewRx.NotControlled with { SignatureBlock = block }));

        Assert.That(decision.Status, Is.EqualTo(PrescriptionStatus.PendingRevocationCheck));
    }

    [Test]
    public void The_verification_indication_says_plainly_that_it_is_not_a_controlled_substance()
    {
        var message = Read(SyntheticNewRx.NotControlled).Message;
        var controlled = Read(new SyntheticNewRx()).Message;

        Assert.That(message.IsNotControlledPrescription(), Is.True);
        Assert.That(controlled.IsNotControlledPrescription(), Is.False);
        Assert.That(PrescriptionStatus.ReceiptSigned.VerificationIndication(controlled: false), Does.StartWith("Not a controlled substance"));
        Assert.That(PrescriptionStatus.Invalid.VerificationIndication(controlled: false), Does.StartWith("Not a controlled substance").And.Contains("FAILED"));
        Assert.That(PrescriptionStatus.ReceiptSigned.VerificationIndication(controlled: true), Does.Not.Contain("Not a controlled"));
    }

    [Test]
    public void Refills_of_a_non_controlled_prescription_follow_what_was_authorized_without_controlled_substance_limits()
    {
        var today = new DateOnly(2026, 11, 22);
        var rx = new PrescriptionFacts
        {
            IsPrescription = true, CurrentStatus = PrescriptionStatus.ReceiptSigned, Schedule = null, QuantityPrescribed = 30,
            RefillsAuthorized = 8, WrittenDate = today.AddMonths(-7), EarliestFillDate = null,
        };
        var prior = Enumerable.Range(0, 8).Select(i => new DispensingRules.PriorFill(30, today.AddDays(-200 + (i * 20)))).ToArray();

        var ninth = DispensingRules.Decide(rx, prior, new DispensingRules.Request(30, today, "AB"), today);
        var tenth = DispensingRules.Decide(rx, [.. prior, new DispensingRules.PriorFill(30, today)], new DispensingRules.Request(30, today, "AB"), today);

        Assert.That(ninth, Is.EqualTo(DispensingRules.Decision.Allow(8)), "eight refills past six months: no Schedule III-V limit applies");
        Assert.That(tenth.Code, Is.EqualTo("QuantityExceeded"));
    }

    [Test]
    public void A_CancelRx_in_either_version_is_read_as_one()
    {
        foreach (var version in Versions)
        {
            var read = Read(SyntheticNewRx.NotControlled with { Version = version, Transaction = "CancelRx", MessageId = "CX-1", RelatesToMessageId = "MSG-0001" });

            Assert.That(read.Message?.Kind, Is.EqualTo(TransactionKind.CancelRx), version);
            Assert.That(ReceiptDecision.Decide(read).Status, Is.EqualTo(PrescriptionStatus.ReceiptSigned), version);
        }
    }
}
