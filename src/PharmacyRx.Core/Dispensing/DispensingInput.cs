using PharmacyRx.Core.Access;

namespace PharmacyRx.Core.Dispensing;

/// <summary>
/// A dispensing as a person asks for it, through the console's form or the API's body: read into a
/// <see cref="DispensingRules.Request"/> by one policy, or refused with a code and the rule, before the rules see it.
/// </summary>
public static class DispensingInput
{
    /// <summary>What the input read as: the request, or why there is none.</summary>
    public sealed record Reading(DispensingRules.Request? Request, string Code, string Reason)
    {
        internal static Reading Refuse(string code, string reason) => new(null, code, reason);
    }

    /// <summary>
    /// Reads a dispensing: text within <see cref="TextLimits.Text"/>, the quantity and the date dispensed given
    /// (1304.22(c)), a blank reason as none, and <paramref name="partial"/> empty (not a partial fill) or the name of a
    /// <see cref="PartialFillBasis"/> (1306.13(a), 21 U.S.C. 829(f)).
    /// </summary>
    public static Reading Read(decimal? quantity, DateOnly? dateDispensed, string? dispenser, string? reason, string? partial)
    {
        if ((dispenser?.Length ?? 0) > TextLimits.Text || (reason?.Length ?? 0) > TextLimits.Text)
        {
            return Reading.Refuse("TooLong", $"the dispenser and the reason are at most {TextLimits.Text} characters");
        }
        if (quantity is not { } amount || dateDispensed is not { } date)
        {
            return Reading.Refuse("Incomplete", "a dispensing needs the quantity and the date dispensed (1304.22(c))");
        }
        var basis = PartialFillBasis.None;
        if (!string.IsNullOrWhiteSpace(partial) && !ExactName.TryParse(partial.Trim(), out basis))
        {
            return Reading.Refuse("UnknownPartialBasis",
                $"partial is one of {ExactName.List<PartialFillBasis>()}: why a Schedule II prescription is filled in part (1306.13(a), 21 U.S.C. 829(f))");
        }
        return new Reading(new DispensingRules.Request(amount, date, dispenser ?? "", string.IsNullOrWhiteSpace(reason) ? null : reason, basis), "", "");
    }
}
