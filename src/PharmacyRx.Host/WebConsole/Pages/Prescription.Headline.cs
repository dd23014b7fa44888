using System.Globalization;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Dispensing;

namespace PharmacyRx.Host.WebConsole.Pages;

public sealed partial class PrescriptionModel
{
    /// <summary>What the page offers as the one action under the headline.</summary>
    public enum MainAction
    {
        Nothing,
        Review,
        Dispense,
    }

    /// <summary>The standing in words: the headline, its tone (ok, warn, bad, done) and why, when the headline needs a reason.</summary>
    public sealed record Headline(string Title, string Tone, string? Why);

    public bool Reviewed => View.Annotations.Any(a => a.Type == nameof(AnnotationType.PharmacistReview));

    public PharmacyWorkStore.Annotation? Review => View.Annotations.LastOrDefault(a => a.Type == nameof(AnnotationType.PharmacistReview));

    /// <summary>A record that is not a prescription (a CancelRx, an answer, a message not read) takes no prescription form.</summary>
    public bool IsPrescription => Standing?.Rules.IsPrescription == true && View.Status != nameof(PrescriptionStatus.Rejected);

    /// <summary>Voided, transferred or cancelled: nothing more is done to the prescription here but a note.</summary>
    public bool Closed => Standing?.Blocker?.Code is "Cancelled" or "Voided" or "TransferredOut";

    public bool IsScheduleII => Standing?.Rules.Schedule is DeaSchedule.ScheduleII or DeaSchedule.Unspecified;

    /// <summary>The unit the prescription counts in ("tablet"), shown beside every quantity.</summary>
    public string Unit => Words.Amount("", Standing?.QuantityUnit ?? "");

    /// <summary>The one action the standing calls for and the user may take (<see cref="DispensingRules.Blocker"/> decides dispensing).</summary>
    public MainAction Action =>
        Standing is { Blocker: null, Remainder: { FullyDispensed: false } } && User.May(Permission.Dispense) ? MainAction.Dispense
        : Standing?.Blocker?.Code == "StatusNotDispensable" && View.Status == nameof(PrescriptionStatus.NeedsPharmacistReview) && !Reviewed
            && User.May(Permission.Annotate) ? MainAction.Review
        : MainAction.Nothing;

    /// <summary>The headline: the current state in words, from the status on record and what the dispensing rules say stops it.</summary>
    public Headline State()
    {
        var status = Enum.TryParse<PrescriptionStatus>(View.Status, out var parsed) ? parsed : PrescriptionStatus.Rejected;
        var remainder = Standing?.Remainder;
        return status switch
        {
            PrescriptionStatus.Rejected => new("Rejected: the message could not be read as a supported transaction", "bad", View.Reason),
            PrescriptionStatus.Invalid => new("Failed verification: do not dispense", "bad", View.Reason),
            PrescriptionStatus.PendingRevocationCheck => new("Waiting for the revocation check: not dispensable yet", "warn", View.Reason),
            _ => Standing?.Blocker?.Code switch
            {
                null when remainder is { FullyDispensed: true } => new("Fully dispensed", "done", null),
                null when remainder is { Dispensed: > 0 } r && r.RemainingOfThisFill < r.Prescribed =>
                    new($"Partly dispensed: {Words.Amount(Format(r.Remaining), Standing!.QuantityUnit)} remain", "ok", Deadline(r)),
                null => new("Ready to dispense", "ok", null),
                "Cancelled" when View.CancelledByTransaction?.StartsWith("RxChangeResponse", StringComparison.Ordinal) == true =>
                    new("Replaced by the prescriber's approved change: dispense the new prescription instead", "bad", null),
                "Cancelled" => new("Cancelled by the prescriber", "bad", null),
                "Voided" => new("Voided", "bad", View.Annotations.LastOrDefault(a => a.Type == nameof(AnnotationType.Void))?.Fields.GetValueOrDefault("reason")),
                "TransferredOut" => new("Transferred to another pharmacy", "bad", null),
                "NotAPrescription" => new($"{View.TransactionName ?? "This message"}: not a prescription, nothing to dispense", "done", null),
                "StatusNotDispensable" when status == PrescriptionStatus.NeedsPharmacistReview => new($"Needs review: {ReviewReason()}", "warn", null),
                { } code => new("Not dispensable as it stands", "bad", Standing!.Blocker!.Reason + $" ({code})"),
            },
        };
    }

    /// <summary>The remainder's deadline and the rule that sets it, in words.</summary>
    public string? Deadline(DispensingRemainder remainder) =>
        remainder.Deadline is { } last ? $"by {last:yyyy-MM-dd} ({remainder.Rule})" : null;

    /// <summary>A remainder's deadline for each reason a Schedule II prescription may be filled in part, counted from the date on the form.</summary>
    public (DateOnly? Deadline, string Rule) PartialDeadline(PartialFillBasis basis) =>
        Standing is { } standing ? DispensingRules.PartialFillDeadline(standing.Rules, basis, Dispensing.DateDispensed ?? clock.Today) : (null, "");

    public static string Format(decimal quantity) => quantity.ToString("0.###", CultureInfo.InvariantCulture);

    private string ReviewReason() =>
        View.MissingElements.Count > 0 ? $"missing {string.Join(", ", View.MissingElements.Select(Words.Label))}"
        : !string.IsNullOrWhiteSpace(View.Reason) ? View.Reason
        : "not verified on receipt (1311.205(b)(6)(ii))";
}
