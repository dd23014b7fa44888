using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Dispensing;

/// <summary>
/// Whether a dispensing may be recorded (1311.205(b)(10)), and its refill number. Each refusal is a value with a
/// reason that cites the rule. An unspecified schedule is treated as Schedule II, the strictest.
/// </summary>
public static class DispensingRules
{
    /// <summary>Refills of a Schedule III or IV prescription, at most (1306.22(a)).</summary>
    public const int MaximumRefillsScheduleIIIAndIV = 5;

    /// <summary>The longest reason for a late entry, in characters.</summary>
    public const int MaximumReasonLength = 500;

    /// <summary>
    /// A dispensing as asked for; <paramref name="Reason"/> explains a late entry; <paramref name="Partial"/> says why a
    /// Schedule II prescription is filled in part.
    /// </summary>
    public sealed record Request(decimal Quantity, DateOnly DateDispensed, string Dispenser, string? Reason = null, PartialFillBasis Partial = PartialFillBasis.None);

    /// <summary>How long after the first partial filling the remainder of a Schedule II prescription may wait when the pharmacy could not supply it (1306.13(a)).</summary>
    public static readonly TimeSpan UnableToSupplyWindow = TimeSpan.FromHours(72);

    /// <summary>How long after the written date the remainder may wait when the patient or prescriber asked for the partial fill (21 U.S.C. 829(f)(2)).</summary>
    public const int RequestedPartialFillDays = 30;

    /// <summary>The last day the remainder of a Schedule II prescription may be filled, and the paragraph that says so.</summary>
    public static (DateOnly? Deadline, string Rule) PartialFillDeadline(PrescriptionFacts rx, PartialFillBasis basis, DateOnly firstFill) =>
        basis == PartialFillBasis.RequestedByPatientOrPrescriber
            ? (rx.WrittenDate?.AddDays(RequestedPartialFillDays), "21 U.S.C. 829(f)(2): within 30 days of the written date, as the patient or prescriber asked for a partial fill")
            // Days, as the pharmacy records the date dispensed (1304.22(c)): 72 hours is the first filling's day and the three after it.
            : (firstFill.AddDays(UnableToSupplyWindow.Days), "1306.13(a): within 72 hours of the first partial filling, as the pharmacy could not supply the full quantity");

    /// <summary>
    /// What remains to dispense and by when: a Schedule II remainder by <see cref="PartialFillDeadline"/>; a Schedule III or
    /// IV prescription within six months of its writing (1306.22(a)). Null when the prescription states no quantity.
    /// </summary>
    public static DispensingRemainder? Remaining(PrescriptionFacts rx, IReadOnlyList<PriorFill> prior)
    {
        if (rx.QuantityPrescribed is not { } prescribed || prescribed <= 0)
        {
            return null;
        }
        var schedule = rx.Schedule == DeaSchedule.Unspecified ? DeaSchedule.ScheduleII : rx.Schedule;
        var refills = RefillsAllowed(rx, schedule);
        var dispensed = prior.Sum(p => p.Quantity);
        var allowed = prescribed * (1 + refills);
        (DateOnly? deadline, string? rule) = schedule switch
        {
            DeaSchedule.ScheduleII when prior.Count > 0 => PartialFillDeadline(rx, rx.PartialFillRequested ? PartialFillBasis.RequestedByPatientOrPrescriber : PartialFillBasis.UnableToSupply,
                prior.Min(p => p.DateDispensed)),
            DeaSchedule.ScheduleIII or DeaSchedule.ScheduleIV when rx.WrittenDate is { } written =>
                (written.AddMonths(6), "1306.22(a): no fill or refill more than six months after the date of issue"),
            _ => (null, null),
        };
        return new DispensingRemainder(prescribed, allowed, dispensed, deadline, rule);
    }

    private static int RefillsAllowed(PrescriptionFacts rx, DeaSchedule? schedule) => schedule switch
    {
        // 1306.12(a): a Schedule II prescription is not refilled.
        DeaSchedule.ScheduleII => 0,
        // 1306.22(a): no more than five times.
        DeaSchedule.ScheduleIII or DeaSchedule.ScheduleIV => Math.Min(rx.RefillsAuthorized + rx.AdditionalRefillsAuthorized, MaximumRefillsScheduleIIIAndIV),
        _ => rx.RefillsAuthorized + rx.AdditionalRefillsAuthorized,
    };

    /// <summary>A dispensing already recorded.</summary>
    public sealed record PriorFill(decimal Quantity, DateOnly DateDispensed);

    /// <summary>Allowed with its refill number (0 for the original fill), or refused with why.</summary>
    public sealed record Decision(bool Allowed, int RefillNumber, string Code, string Reason)
    {
        public static Decision Allow(int refillNumber) => new(true, refillNumber, "", "");

        public static Decision Refuse(string code, string reason) => new(false, -1, code, reason);
    }

    /// <summary>
    /// What stops any dispensing of the prescription as things stand (not a NewRx, a status that does not allow it,
    /// cancelled, voided, transferred, Schedule I), or null when it is open for dispensing.
    /// </summary>
    public static Decision? Blocker(PrescriptionFacts rx)
    {
        if (rx.Unverified is { } unverified)
        {
            // 1311.205(b)(10): a dispensing is recorded against the record as received; one that fails its checks is not relied on.
            return Decision.Refuse("RecordNotVerified", $"the prescription record cannot be relied on: {unverified}");
        }
        if (!rx.IsPrescription)
        {
            return Decision.Refuse("NotAPrescription", "only a prescription is dispensed: a NewRx, or an approved renewal or change");
        }
        var reviewed = rx.CurrentStatus == PrescriptionStatus.NeedsPharmacistReview && rx.Reviewed;
        if (!rx.CurrentStatus.IsDispensableOnReceipt() && !reviewed)
        {
            return Decision.Refuse("StatusNotDispensable", rx.CurrentStatus == PrescriptionStatus.NeedsPharmacistReview
                ? "the prescription needs the pharmacist's review first (1311.205(b)(6)(ii), (b)(9))"
                : $"a prescription with status {rx.CurrentStatus} is not dispensable: {rx.CurrentStatus.VerificationIndication(controlled: rx.Schedule is not null)}");
        }
        if (rx.Cancelled)
        {
            return Decision.Refuse("Cancelled", "the prescriber cancelled this prescription (CancelRx)");
        }
        if (rx.Voided)
        {
            return Decision.Refuse("Voided", "the prescription was voided (1311.200(g)-(h))");
        }
        if (rx.TransferredOut)
        {
            return Decision.Refuse("TransferredOut", "the prescription was transferred to another pharmacy and is void here (1306.25)");
        }
        return rx.Schedule == DeaSchedule.ScheduleI ? Decision.Refuse("ScheduleI", "Schedule I substances are not dispensed on prescription") : null;
    }

    /// <summary>The largest quantity one dispensing may record.</summary>
    public const decimal MaxQuantity = 1_000_000m;

    public static Decision Decide(PrescriptionFacts rx, IReadOnlyList<PriorFill> prior, Request request, DateOnly today, DispensingOptions? options = null)
    {
        if (Blocker(rx) is { } blocked)
        {
            return blocked;
        }
        if (request.Quantity <= 0)
        {
            return Decision.Refuse("QuantityNotPositive", $"the quantity dispensed must be more than zero and at most {MaxQuantity}");
        }
        if (request.Quantity > MaxQuantity)
        {
            // Larger than any prescription states; also keeps the sums below from overflowing.
            return Decision.Refuse("QuantityTooLarge", $"the quantity dispensed must be more than zero and at most {MaxQuantity}");
        }
        if (string.IsNullOrWhiteSpace(request.Dispenser))
        {
            return Decision.Refuse("DispenserMissing", "the dispenser's name or initials are required (1304.22(c))");
        }
        if (request.DateDispensed > today)
        {
            return Decision.Refuse("DateInFuture", "the date dispensed cannot be later than today");
        }
        if (BackdateRefusal(rx, request, today, options ?? new DispensingOptions()) is { } backdated)
        {
            return backdated;
        }
        if (rx.EarliestFillDate is { } earliest && request.DateDispensed < earliest)
        {
            return Decision.Refuse("BeforeEarliestFillDate", $"not to be filled before {earliest:yyyy-MM-dd} (1306.12(b))");
        }
        if (rx.QuantityPrescribed is not { } prescribed || prescribed <= 0)
        {
            return Decision.Refuse("QuantityUnknown", "the prescription states no quantity; it cannot be dispensed against");
        }

        var schedule = rx.Schedule == DeaSchedule.Unspecified ? DeaSchedule.ScheduleII : rx.Schedule;
        var refillsAllowed = RefillsAllowed(rx, schedule);
        // The paragraph that limits the total, named in the refusal so the pharmacist sees the rule.
        var limit = "";
        switch (schedule)
        {
            case DeaSchedule.ScheduleII:
                limit = " (1306.12(a): a Schedule II prescription is not refilled)";
                // 1306.12(a): no refills; 1306.13(a): the remainder of a partial fill only within 72 hours of the first.
                if (prior.Count > 0)
                {
                    var basis = rx.PartialFillRequested ? PartialFillBasis.RequestedByPatientOrPrescriber : PartialFillBasis.UnableToSupply;
                    if (PartialFillDeadline(rx, basis, prior.Min(p => p.DateDispensed)) is ({ } last, _) && request.DateDispensed > last)
                    {
                        return basis == PartialFillBasis.RequestedByPatientOrPrescriber
                            ? Decision.Refuse("PartialFillWindowClosed",
                                $"the remainder of a Schedule II prescription partially filled at the patient's or prescriber's request may be filled only within 30 days of the written date, by {last:yyyy-MM-dd} (21 U.S.C. 829(f)(2))")
                            : Decision.Refuse("PartialFillWindowClosed",
                                "the remainder of a partially filled Schedule II prescription may be filled only within 72 hours of the first partial filling (1306.13(a))");
                    }
                }
                if (request.Partial == PartialFillBasis.RequestedByPatientOrPrescriber && rx.WrittenDate is { } writtenOn
                    && request.DateDispensed > writtenOn.AddDays(RequestedPartialFillDays))
                {
                    return Decision.Refuse("PartialFillWindowClosed",
                        $"a partial fill the patient or prescriber asked for is filled within 30 days of the written date ({writtenOn:yyyy-MM-dd}) (21 U.S.C. 829(f)(2))");
                }
                break;
            case DeaSchedule.ScheduleIII or DeaSchedule.ScheduleIV:
                limit = " (1306.22(a))";
                // 1306.22(a): no refill more than six months after the date of issue, nor more than five times.
                if (rx.WrittenDate is { } written && request.DateDispensed > written.AddMonths(6))
                {
                    return Decision.Refuse("PastSixMonths",
                        $"a Schedule III or IV prescription may not be filled or refilled more than six months after it was written ({written:yyyy-MM-dd}) (1306.22(a))");
                }
                break;
        }

        var dispensed = prior.Sum(p => p.Quantity);
        var allowed = prescribed * (1 + refillsAllowed);
        if (dispensed + request.Quantity > allowed)
        {
            return Decision.Refuse("QuantityExceeded",
                $"{dispensed + request.Quantity} would exceed the {allowed} allowed: {prescribed} prescribed with {refillsAllowed} refill(s); {dispensed} already dispensed{limit}");
        }
        if (request.Partial != PartialFillBasis.None && dispensed + request.Quantity >= allowed)
        {
            // 1306.13(a), 21 U.S.C. 829(f): a partial fill leaves a remainder; one that dispenses all there is is a full fill.
            return Decision.Refuse("NotPartial",
                $"a partial fill dispenses less than the {allowed - dispensed} remaining (1306.13(a), 21 U.S.C. 829(f)); to dispense it all, choose a full fill");
        }
        return Decision.Allow((int)decimal.Floor(dispensed / prescribed));
    }

    // 1304.22(c): the record shows the date the substance was actually dispensed. It cannot precede the receipt of the
    // prescription (1311.200(a)) nor its writing (1306.05(a)); an entry made late says why.
    private static Decision? BackdateRefusal(PrescriptionFacts rx, Request request, DateOnly today, DispensingOptions options)
    {
        if (rx.ReceivedDate is { } received && request.DateDispensed < received)
        {
            return Decision.Refuse("DateBeforeReceipt", $"the date dispensed cannot precede the receipt of the prescription ({received:yyyy-MM-dd})");
        }
        if (rx.WrittenDate is { } written && request.DateDispensed < written)
        {
            return Decision.Refuse("DateBeforeWritten", $"the date dispensed cannot precede the date the prescription was written ({written:yyyy-MM-dd})");
        }
        if (request.Reason is { Length: > MaximumReasonLength })
        {
            return Decision.Refuse("ReasonTooLong", $"the reason is longer than {MaximumReasonLength} characters");
        }
        if (request.DateDispensed < today.AddDays(-options.MaxBackdateDays) && string.IsNullOrWhiteSpace(request.Reason))
        {
            return Decision.Refuse("LateEntryWithoutReason",
                $"a dispensing dated more than {options.MaxBackdateDays} days ago needs a reason for the late entry");
        }
        return null;
    }
}
