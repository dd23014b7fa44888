using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Dispensing;

/// <summary>
/// What the dispensing rules need to know about a prescription as things stand: what was prescribed (from the
/// as-received record) and what later records say (status changes, cancellation, annotations).
/// </summary>
public sealed record PrescriptionFacts
{
    /// <summary>A NewRx, or an approved renewal or change (<see cref="Receiving.ScriptTransactions.IsPrescription"/>).</summary>
    public required bool IsPrescription { get; init; }
    public required PrescriptionStatus CurrentStatus { get; init; }

    /// <summary>Null for a prescription that is not for a controlled substance.</summary>
    public required DeaSchedule? Schedule { get; init; }

    public required decimal? QuantityPrescribed { get; init; }
    public required int RefillsAuthorized { get; init; }
    public required DateOnly? WrittenDate { get; init; }
    public required DateOnly? EarliestFillDate { get; init; }
    public bool Cancelled { get; init; }
    public bool Voided { get; init; }
    public bool TransferredOut { get; init; }
    public bool Reviewed { get; init; }

    /// <summary>The pharmacy's calendar day (in its own zone) on which it received the prescription; nothing is dispensed before it.</summary>
    public DateOnly? ReceivedDate { get; init; }

    /// <summary>Why the record cannot be relied on (it does not match its seal or the audit chain), or null when it can.</summary>
    public string? Unverified { get; init; }

    /// <summary>A partial fill the patient or prescriber asked for was recorded: the remainder may wait 30 days from the written date (21 U.S.C. 829(f)(2)).</summary>
    public bool PartialFillRequested { get; init; }

    /// <summary>Refills the practitioner authorized after the prescription (1306.22(e)).</summary>
    public int AdditionalRefillsAuthorized { get; init; }
}
