using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Receiving;
using static PharmacyRx.Core.Dispensing.DispensingRules;

namespace PharmacyRx.Core.Tests.Dispensing;

public class DispensingRulesTests
{
    private static readonly DateOnly Today = new(2026, 11, 22);

    private static PrescriptionFacts Rx(DeaSchedule? schedule = DeaSchedule.ScheduleII, int refills = 0, decimal quantity = 20,
        PrescriptionStatus status = PrescriptionStatus.VerifiedOnReceipt) => new()
    {
        IsPrescription = true,
        CurrentStatus = status,
        Schedule = schedule,
        QuantityPrescribed = quantity,
        RefillsAuthorized = refills,
        WrittenDate = Today.AddDays(-10),
        EarliestFillDate = null,
    };

    private static Request Fill(decimal quantity, DateOnly? on = null) => new(quantity, on ?? Today, "AB");

    private static PriorFill[] Prior(params (decimal Quantity, int DaysAgo)[] fills) =>
        fills.Select(f => new PriorFill(f.Quantity, Today.AddDays(-f.DaysAgo))).ToArray();

    [Test]
    public void The_original_fill_is_refill_number_zero_and_each_full_refill_counts_up()
    {
        var rx = Rx(DeaSchedule.ScheduleIV, refills: 2);

        Assert.That(Decide(rx, [], Fill(20), Today), Is.EqualTo(Decision.Allow(0)));
        Assert.That(Decide(rx, Prior((20, 30)), Fill(20), Today), Is.EqualTo(Decision.Allow(1)));
        Assert.That(Decide(rx, Prior((20, 60), (20, 30)), Fill(20), Today), Is.EqualTo(Decision.Allow(2)));
        Assert.That(Decide(rx, Prior((10, 30)), Fill(10), Today), Is.EqualTo(Decision.Allow(0)), "a partial fill stays within the original");
    }

    [TestCase("0")]
    [TestCase("-1")]
    [TestCase("1000000.0000001")]
    [TestCase("79228162514264337593543950335")]
    public void A_quantity_outside_its_range_is_refused_naming_the_range(string quantity)
    {
        // With a prior fill, a quantity near decimal's maximum would overflow the sum instead of being refused.
        var decision = Decide(Rx(quantity: 20), Prior((1, 1)), Fill(decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture)), Today);

        Assert.That(decision.Allowed, Is.False);
        Assert.That(decision.Reason, Does.Contain("more than zero and at most 1000000"));
    }

    [TestCase(PrescriptionStatus.PendingRevocationCheck)]
    [TestCase(PrescriptionStatus.Invalid)]
    [TestCase(PrescriptionStatus.Rejected)]
    [TestCase(PrescriptionStatus.NeedsPharmacistReview)]
    public void Nothing_is_dispensed_unless_the_status_allows_it(PrescriptionStatus status)
    {
        Assert.That(Decide(Rx(status: status), [], Fill(20), Today).Code, Is.EqualTo("StatusNotDispensable"));
    }

    [Test]
    public void A_prescription_needing_review_is_dispensable_after_the_pharmacists_review()
    {
        Assert.That(Decide(Rx(status: PrescriptionStatus.NeedsPharmacistReview) with { Reviewed = true }, [], Fill(20), Today).Allowed, Is.True);
    }

    [Test]
    public void Not_after_cancel_void_or_transfer()
    {
        Assert.That(Decide(Rx() with { Cancelled = true }, [], Fill(1), Today).Code, Is.EqualTo("Cancelled"));
        Assert.That(Decide(Rx() with { Voided = true }, [], Fill(1), Today).Code, Is.EqualTo("Voided"));
        Assert.That(Decide(Rx() with { TransferredOut = true }, [], Fill(1), Today).Reason, Does.Contain("1306.25"));
    }

    [Test]
    public void Not_before_the_earliest_fill_date()
    {
        var rx = Rx() with { EarliestFillDate = Today.AddDays(1) };

        Assert.That(Decide(rx, [], Fill(20), Today).Code, Is.EqualTo("BeforeEarliestFillDate"));
        Assert.That(Decide(rx, [], Fill(20, Today.AddDays(1)), Today.AddDays(1)).Allowed, Is.True);
    }

    [Test]
    public void Schedule_II_has_no_refills_whatever_the_prescription_says()
    {
        var rx = Rx(DeaSchedule.ScheduleII, refills: 3);

        var second = Decide(rx, Prior((20, 1)), Fill(20), Today);

        Assert.That(second.Code, Is.EqualTo("QuantityExceeded"));
        Assert.That(second.Reason, Does.Contain("0 refill(s)"));
    }

    [Test]
    public void The_remainder_of_a_Schedule_II_partial_fill_only_within_72_hours()
    {
        var rx = Rx(DeaSchedule.ScheduleII);

        Assert.That(Decide(rx, Prior((5, 3)), Fill(15), Today), Is.EqualTo(Decision.Allow(0)));
        var late = Decide(rx, Prior((5, 4)), Fill(15), Today);
        Assert.That(late.Code, Is.EqualTo("PartialFillWindowClosed"));
        Assert.That(late.Reason, Does.Contain("1306.13(a)"));
    }

    [Test]
    public void The_remainder_of_a_partial_fill_the_patient_asked_for_waits_30_days_from_the_written_date()
    {
        var rx = Rx(DeaSchedule.ScheduleII) with { PartialFillRequested = true };

        Assert.That(Decide(rx, Prior((5, 8)), Fill(15), Today), Is.EqualTo(Decision.Allow(0)), "past 72 hours, within 30 days of writing");
        var late = Decide(rx, Prior((5, 8)), Fill(15, Today.AddDays(21)), Today.AddDays(21));
        Assert.That(late.Code, Is.EqualTo("PartialFillWindowClosed"));
        Assert.That(late.Reason, Does.Contain("829(f)"));
    }

    [Test]
    public void A_partial_fill_must_leave_a_remainder()
    {
        var refused = Decide(Rx(DeaSchedule.ScheduleII), [], Fill(20) with { Partial = PartialFillBasis.UnableToSupply }, Today);
        Assert.That(refused.Code, Is.EqualTo("NotPartial"));
        Assert.That(Decide(Rx(DeaSchedule.ScheduleII), [], Fill(5) with { Partial = PartialFillBasis.UnableToSupply }, Today), Is.EqualTo(Decision.Allow(0)));
    }

    [Test]
    public void The_remainder_and_its_deadline_name_the_rule_that_applies()
    {
        var unable = Remaining(Rx(DeaSchedule.ScheduleII), Prior((5, 1)))!;
        Assert.That((unable.Remaining, unable.Deadline), Is.EqualTo((15m, (DateOnly?)Today.AddDays(2))));
        Assert.That(unable.Rule, Does.StartWith("1306.13(a)"));

        var asked = Remaining(Rx(DeaSchedule.ScheduleII) with { PartialFillRequested = true }, Prior((5, 1)))!;
        Assert.That(asked.Deadline, Is.EqualTo(Today.AddDays(20)), "30 days from the written date, ten days ago");
        Assert.That(asked.Rule, Does.StartWith("21 U.S.C. 829(f)"));

        var refills = Remaining(Rx(DeaSchedule.ScheduleIV, refills: 2), Prior((20, 5)))!;
        Assert.That((refills.Remaining, refills.RemainingOfThisFill, refills.FullyDispensed), Is.EqualTo((40m, 20m, false)));
        Assert.That(Remaining(Rx(DeaSchedule.ScheduleII), Prior((20, 1)))!.FullyDispensed, Is.True);
    }

    [Test]
    public void An_unspecified_schedule_is_held_to_Schedule_II()
    {
        Assert.That(Decide(Rx(DeaSchedule.Unspecified, refills: 2), Prior((20, 1)), Fill(20), Today).Code, Is.EqualTo("QuantityExceeded"));
    }

    [Test]
    public void Schedule_III_and_IV_at_most_five_refills()
    {
        var rx = Rx(DeaSchedule.ScheduleIII, refills: 9);
        var sixFills = Prior((20, 60), (20, 50), (20, 40), (20, 30), (20, 20), (20, 10));

        var seventh = Decide(rx, sixFills, Fill(20), Today);

        Assert.That(seventh.Code, Is.EqualTo("QuantityExceeded"));
        Assert.That(seventh.Reason, Does.Contain("5 refill(s)"));
        Assert.That(Decide(rx, sixFills[..5], Fill(20), Today), Is.EqualTo(Decision.Allow(5)));
    }

    [Test]
    public void Schedule_III_and_IV_not_after_six_months_from_the_written_date()
    {
        var rx = Rx(DeaSchedule.ScheduleIV, refills: 5) with { WrittenDate = Today.AddMonths(-6).AddDays(-1) };

        var result = Decide(rx, [], Fill(20), Today);

        Assert.That(result.Code, Is.EqualTo("PastSixMonths"));
        Assert.That(result.Reason, Does.Contain("1306.22(a)"));
    }

    [Test]
    public void Total_dispensed_never_above_quantity_times_one_plus_refills()
    {
        var rx = Rx(DeaSchedule.ScheduleV, refills: 1, quantity: 10);

        Assert.That(Decide(rx, Prior((10, 5), (5, 1)), Fill(5), Today).Allowed, Is.True);
        Assert.That(Decide(rx, Prior((10, 5), (5, 1)), Fill(5.5m), Today).Code, Is.EqualTo("QuantityExceeded"));
        Assert.That(Decide(rx with { AdditionalRefillsAuthorized = 1 }, Prior((10, 5), (5, 1)), Fill(15), Today).Allowed, Is.True, "1306.22(e)");
    }

    [Test]
    [Property("Rule", "1311.205(b)(10)")]
    public void Refuses_a_zero_quantity_a_future_date_a_missing_dispenser_and_Schedule_I()
    {
        Assert.That(Decide(Rx(), [], Fill(0), Today).Code, Is.EqualTo("QuantityNotPositive"));
        Assert.That(Decide(Rx(), [], Fill(1, Today.AddDays(1)), Today).Code, Is.EqualTo("DateInFuture"));
        Assert.That(Decide(Rx(), [], new Request(1, Today, " "), Today).Code, Is.EqualTo("DispenserMissing"));
        Assert.That(Decide(Rx(DeaSchedule.ScheduleI), [], Fill(1), Today).Code, Is.EqualTo("ScheduleI"));
        Assert.That(Decide(Rx() with { IsPrescription = false }, [], Fill(1), Today).Code, Is.EqualTo("NotAPrescription"));
    }

    [Test]
    public void A_fill_cannot_precede_receipt_or_writing_nor_be_entered_late_without_a_reason()
    {
        var rx = Rx() with { ReceivedDate = Today.AddDays(-9) };

        Assert.That(Decide(rx, [], Fill(1, Today.AddDays(-10)), Today).Code, Is.EqualTo("DateBeforeReceipt"));
        Assert.That(Decide(rx, [], Fill(1, DateOnly.MinValue), Today).Code, Is.EqualTo("DateBeforeReceipt"));
        Assert.That(Decide(Rx() with { WrittenDate = Today.AddDays(-2) }, [], Fill(1, Today.AddDays(-3)), Today).Code, Is.EqualTo("DateBeforeWritten"));
        Assert.That(Decide(rx, [], Fill(1, Today.AddDays(-8)), Today).Code, Is.EqualTo("LateEntryWithoutReason"));
        Assert.That(Decide(rx, [], Fill(1, Today.AddDays(-8)) with { Reason = "entered from the paper log" }, Today).Allowed, Is.True);
        Assert.That(Decide(rx, [], Fill(1, Today.AddDays(-8)), Today, new DispensingOptions { MaxBackdateDays = 10 }).Allowed, Is.True);
    }

    [Test]
    public void Nothing_is_dispensed_against_a_record_that_does_not_verify()
    {
        Assert.That(Decide(Rx() with { Unverified = "the archived record does not match the audit chain" }, [], Fill(1), Today).Code, Is.EqualTo("RecordNotVerified"));
    }
}
