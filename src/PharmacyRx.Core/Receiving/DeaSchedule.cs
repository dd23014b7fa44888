namespace PharmacyRx.Core.Receiving;

/// <summary>
/// Controlled-substance schedules as SCRIPT codes them in <c>DrugCoded/DEASchedule/Code</c> (NCI thesaurus codes).
/// A prescription is controlled when the element is present at all.
/// </summary>
public enum DeaSchedule
{
    ScheduleI,
    ScheduleII,
    ScheduleIII,
    ScheduleIV,
    ScheduleV,
    Unspecified,
}

/// <summary>Maps the NCI codes used by SCRIPT to <see cref="DeaSchedule"/>.</summary>
public static class DeaScheduleCodes
{
    /// <summary>
    /// Whether a <c>DEASchedule/Code</c> as read says the drug is controlled: any code at all. The schedule codes
    /// (C48672 CI, C48675 CII, C48676 CIII, C48677 CIV, C48679 CV) and C38046 (unspecified) say so; a code that is none
    /// of them is not taken for "not controlled" either, so it is held to the strictest rules (Schedule II) rather than
    /// sealed without the EPCS checks. No <c>DEASchedule</c> (or an empty code) is a prescription for a drug that is
    /// not a controlled substance.
    /// </summary>
    public static bool IsControlled(string code) => code.Length > 0;

    /// <summary>
    /// Of two codes a message sends (two <c>DEASchedule</c> elements, a compound's ingredients), the one held to the
    /// stricter rules: any code over none, then CV, CIV, CIII, then CII (with C38046 and any unknown code, held to CII
    /// rules), then CI. On a tie the first stands. A sender cannot make a controlled drug uncontrolled, or a CII a CV,
    /// by adding an element.
    /// </summary>
    public static string Stricter(string first, string second) => Rank(second) > Rank(first) ? second : first;

    private static int Rank(string code) => !IsControlled(code) ? 0 : FromCode(code) switch
    {
        DeaSchedule.ScheduleV => 1,
        DeaSchedule.ScheduleIV => 2,
        DeaSchedule.ScheduleIII => 3,
        DeaSchedule.ScheduleI => 5,
        _ => 4,
    };

    /// <summary>Returns the schedule for a code, or null for a code that is not a DEA schedule code.</summary>
    public static DeaSchedule? FromCode(string code) => code switch
    {
        "C48672" => DeaSchedule.ScheduleI,
        "C48675" => DeaSchedule.ScheduleII,
        "C48676" => DeaSchedule.ScheduleIII,
        "C48677" => DeaSchedule.ScheduleIV,
        "C48679" => DeaSchedule.ScheduleV,
        "C38046" => DeaSchedule.Unspecified,
        _ => null,
    };

    /// <summary>The NCI code SCRIPT carries for a schedule.</summary>
    public static string Code(this DeaSchedule schedule) => schedule switch
    {
        DeaSchedule.ScheduleI => "C48672",
        DeaSchedule.ScheduleII => "C48675",
        DeaSchedule.ScheduleIII => "C48676",
        DeaSchedule.ScheduleIV => "C48677",
        DeaSchedule.ScheduleV => "C48679",
        _ => "C38046",
    };

    /// <summary>The short name pharmacists read: CI, CII, ..., or "C?" for an unspecified schedule.</summary>
    public static string ShortName(this DeaSchedule schedule) => schedule switch
    {
        DeaSchedule.ScheduleI => "CI",
        DeaSchedule.ScheduleII => "CII",
        DeaSchedule.ScheduleIII => "CIII",
        DeaSchedule.ScheduleIV => "CIV",
        DeaSchedule.ScheduleV => "CV",
        _ => "C?",
    };
}
