using PharmacyRx.Core.Receiving;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Receiving;

/// <summary>
/// The answers a pharmacy receives to its own requests, in SCRIPT 2017071 and 2023011 (docs/transactions.md): an approved
/// RxRenewalResponse (Approved, ApprovedWithChanges, Replace) or RxChangeResponse (Approved, ApprovedWithChanges) is a
/// prescription decided on NewRx's rules; a denial, a validated change, CancelRxResponse, Status, Error and Verify are
/// read as what they are and make nothing dispensable.
/// </summary>
public class AnswerTransactionTests
{
    private static readonly string[] Versions = ["2017071", "2023011"];

    private static readonly (string Transaction, string Response)[] Approvals =
    [
        ("RxRenewalResponse", "Approved"), ("RxRenewalResponse", "ApprovedWithChanges"), ("RxRenewalResponse", "Replace"),
        ("RxChangeResponse", "Approved"), ("RxChangeResponse", "ApprovedWithChanges"),
    ];

    private static IEnumerable<TestCaseData> ApprovalShapes() =>
        from version in Versions
        from approval in Approvals
        select new TestCaseData(approval.Transaction, approval.Response, version);

    private static SyntheticNewRx Answer(string transaction, string response, string version) => new()
    {
        Transaction = transaction, Response = response, Version = version, LaterVersionShape = version != "2017071",
        MessageId = $"{transaction}-{response}-{version}",
    };

    private static ReadResult Read(SyntheticNewRx message) => new ScriptMessageReader().Read(message.ToBytes());

    [TestCaseSource(nameof(ApprovalShapes))]
    [Property("Rule", "1311.205(b)(6)")]
    public void An_approval_for_a_controlled_drug_with_the_indicator_is_a_prescription_signed_on_receipt(string transaction, string response, string version)
    {
        var read = Read(Answer(transaction, response, version));

        var decision = ReceiptDecision.Decide(read);

        Assert.That(read.Message!.Kind.ToString(), Is.EqualTo(transaction));
        Assert.That(read.Message.Response, Is.EqualTo(response));
        Assert.That(read.Message.IsPrescription(), Is.True);
        Assert.That(read.Message.Name(), Is.EqualTo($"{transaction} ({response})"));
        Assert.That((decision.Status, decision.ReasonCode), Is.EqualTo((PrescriptionStatus.ReceiptSigned, "")));
        Assert.That(read.Message.ReplacesOriginal(), Is.EqualTo(transaction == "RxChangeResponse"), "only an approved change replaces the original");
    }

    [TestCaseSource(nameof(ApprovalShapes))]
    [Property("Rule", "1311.205(b)(6)")]
    public void An_approval_for_a_controlled_drug_without_the_indicator_goes_to_the_pharmacist(string transaction, string response, string version)
    {
        var decision = ReceiptDecision.Decide(Read(Answer(transaction, response, version) with { SignatureIndicator = null }));

        Assert.That((decision.Status, decision.ReasonCode), Is.EqualTo((PrescriptionStatus.NeedsPharmacistReview, ReceiptDecision.SignatureIndicatorAbsent)));
    }

    [TestCaseSource(nameof(ApprovalShapes))]
    public void An_approval_for_a_drug_that_is_not_controlled_is_sealed_on_receipt(string transaction, string response, string version)
    {
        var read = Read(SyntheticNewRx.NotControlled with
        {
            Transaction = transaction, Response = response, Version = version, LaterVersionShape = version != "2017071",
        });

        var decision = ReceiptDecision.Decide(read);

        Assert.That((decision.Status, decision.ReasonCode), Is.EqualTo((PrescriptionStatus.ReceiptSigned, ReceiptDecision.NotControlled)));
        Assert.That(read.Message.IsNotControlledPrescription(), Is.True);
    }

    [TestCaseSource(nameof(ApprovalShapes))]
    [Property("Rule", "1311.205(b)(9)")]
    public void An_approval_missing_a_1306_05a_element_names_it_for_the_pharmacist(string transaction, string response, string version)
    {
        var decision = ReceiptDecision.Decide(Read(Answer(transaction, response, version) with { DeaNumber = "", PatientAddress = false }));

        Assert.That(decision.Status, Is.EqualTo(PrescriptionStatus.NeedsPharmacistReview));
        Assert.That(decision.MissingElements, Does.Contain("PrescriberDEANumber"));
    }

    [TestCase("RxRenewalResponse", "Denied")]
    [TestCase("RxChangeResponse", "Denied")]
    [TestCase("RxChangeResponse", "Validated")]
    public void A_denial_or_a_validated_change_is_archived_as_what_it_is_and_is_no_prescription(string transaction, string response)
    {
        foreach (var version in Versions)
        {
            var read = Read(Answer(transaction, response, version));

            var decision = ReceiptDecision.Decide(read);

            Assert.That(read.Message.IsPrescription(), Is.False, version);
            Assert.That(read.Message.ReplacesOriginal(), Is.False, version);
            Assert.That((decision.Status, decision.ReasonCode), Is.EqualTo((PrescriptionStatus.ReceiptSigned, ReceiptDecision.NotAPrescription)), version);
            Assert.That(decision.Reason, Does.StartWith($"{transaction} ({response}): not a prescription"));
            Assert.That(PrescriptionStatus.ReceiptSigned.VerificationIndication(read.Message), Does.StartWith("Not a prescription"));
        }
    }

    [Test]
    public void An_answer_with_a_response_this_service_does_not_know_goes_to_the_pharmacist_and_is_no_prescription()
    {
        var read = Read(Answer("RxRenewalResponse", "DeniedNewPrescriptionToFollow", "2017071"));

        var decision = ReceiptDecision.Decide(read);

        Assert.That((decision.Status, decision.ReasonCode), Is.EqualTo((PrescriptionStatus.NeedsPharmacistReview, ReceiptDecision.ResponseNotRecognised)));
        Assert.That(read.Message.IsPrescription(), Is.False);
    }

    private static IEnumerable<TestCaseData> Acknowledgements() =>
        from version in Versions
        from kind in SyntheticTransaction.Kinds
        select new TestCaseData(kind, version);

    [TestCaseSource(nameof(Acknowledgements))]
    public void Status_Error_Verify_and_CancelRxResponse_are_read_and_archived_as_what_they_are(string kind, string version)
    {
        var read = new ScriptMessageReader().Read(new SyntheticTransaction(kind) { Version = version }.ToBytes());

        var decision = ReceiptDecision.Decide(read);

        Assert.That(read.Message!.Kind.ToString(), Is.EqualTo(kind));
        Assert.That(read.Message.Header.RelatesToMessageId, Is.EqualTo("MSG-0001"));
        Assert.That((decision.Status, decision.ReasonCode), Is.EqualTo((PrescriptionStatus.ReceiptSigned, ReceiptDecision.NotAPrescription)));
        Assert.That(read.Message.IsPrescription(), Is.False);
        Assert.That(read.Message.Name(), Is.EqualTo(kind switch
        {
            "Status" => "Status 010",
            "Error" => "Error 900/2000",
            "Verify" => "Verify 010",
            _ => "CancelRxResponse (Approved)",
        }));
    }

    [Test]
    public void A_transaction_a_pharmacy_does_not_receive_is_still_rejected_with_its_reason()
    {
        var read = new ScriptMessageReader().Read(new SyntheticTransaction(SyntheticTransaction.Unsupported).ToBytes());

        var decision = ReceiptDecision.Decide(read);

        Assert.That((decision.Status, decision.ReasonCode), Is.EqualTo((PrescriptionStatus.Rejected, nameof(RejectionCode.UnsupportedTransaction))));
        Assert.That(decision.Reason, Is.EqualTo("unsupported transaction RxFill"));
        Assert.That(read.PartialMessageId, Is.EqualTo("OTHER-0001"));
    }
}
