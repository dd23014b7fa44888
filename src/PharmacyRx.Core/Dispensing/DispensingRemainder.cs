namespace PharmacyRx.Core.Dispensing;

/// <summary>
/// What is left to dispense against a prescription as things stand, and by when: <see cref="Deadline"/> and the
/// <see cref="Rule"/> that sets it, or null when no rule sets one. Decided by <see cref="DispensingRules.Remaining"/>.
/// </summary>
public sealed record DispensingRemainder(decimal Prescribed, decimal Allowed, decimal Dispensed, DateOnly? Deadline, string? Rule)
{
    public decimal Remaining => Math.Max(0, Allowed - Dispensed);

    /// <summary>Nothing more may be dispensed: every authorized quantity has been.</summary>
    public bool FullyDispensed => Remaining == 0;

    /// <summary>What remains of the current fill (the original or a refill): the quantity a form may offer.</summary>
    public decimal RemainingOfThisFill => Remaining == 0 ? 0 : Dispensed % Prescribed is var part && part == 0 ? Prescribed : Prescribed - part;
}
