using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Receiving;

/// <summary>
/// The NCI thesaurus codes SCRIPT carries for units of strength and quantity and for dosage forms
/// (<c>StrengthUnitOfMeasure</c>, <c>QuantityUnitOfMeasure</c>, <c>StrengthForm</c>), in a pharmacist's words. A code
/// not in the list is shown as sent, so nothing is hidden or guessed.
/// </summary>
public static class NcpdpCodes
{
    private static readonly Dictionary<string, string> Words = new(StringComparer.Ordinal)
    {
        ["C28253"] = "mg",
        ["C28254"] = "mL",
        ["C48152"] = "mcg",
        ["C48155"] = "g",
        ["C48542"] = "tablet",
        ["C48480"] = "capsule",
        ["C64933"] = "each",
        ["C42998"] = "tablet",
        ["C25158"] = "capsule",
        ["C38046"] = "unspecified",
    };

    /// <summary>The word for a code ("mg", "tablet"), or the code itself when it is not a known one; "" for "".</summary>
    public static string Describe(string code) => Words.TryGetValue(code, out var word) ? word : code;

    /// <summary>Text whose words may be codes ("5 C28253"), each code put in words ("5 mg").</summary>
    public static string Decode(string text) => string.Join(' ', text.Split(' ').Select(Describe));

    /// <summary>
    /// The schedule as a pharmacist reads it: CII…CV, "C? (unspecified)", "not controlled" when the message names no
    /// schedule, or the code as sent when it is not a DEA schedule code.
    /// </summary>
    public static string Schedule(string deaScheduleCode) => deaScheduleCode.Length == 0
        ? "not controlled"
        : DeaScheduleCodes.FromCode(deaScheduleCode) switch
        {
            DeaSchedule.Unspecified => "C? (unspecified)",
            { } schedule => schedule.ShortName(),
            null => deaScheduleCode,
        };
}
