namespace PharmacyRx.Core.Receiving;

/// <summary>
/// The prescription elements 21 CFR 1306.05(a) requires, plus refills and schedule, as read from a SCRIPT message.
/// Every value is already normalised (trimmed, inner whitespace collapsed, Unicode NFC); an absent element is "".
/// The DEA number is kept whole, including an institution's internal suffix (1311.205(b)(7)).
/// </summary>
public sealed record DeaElements
{
    public string PrescriberDeaNumber { get; init; } = "";
    public string PrescriberLastName { get; init; } = "";
    public string PrescriberFirstName { get; init; } = "";
    public string PrescriberMiddleName { get; init; } = "";
    public PostalAddress PrescriberAddress { get; init; } = PostalAddress.Empty;
    public string PatientLastName { get; init; } = "";
    public string PatientFirstName { get; init; } = "";
    public string PatientMiddleName { get; init; } = "";
    public PostalAddress PatientAddress { get; init; } = PostalAddress.Empty;
    public string DrugDescription { get; init; } = "";
    public string DrugStrengthValue { get; init; } = "";
    public string DrugStrengthUnit { get; init; } = "";
    public string DosageForm { get; init; } = "";
    public string QuantityValue { get; init; } = "";
    public string QuantityUnit { get; init; } = "";
    public string Directions { get; init; } = "";
    public string WrittenDate { get; init; } = "";
    public string NumberOfRefills { get; init; } = "";

    /// <summary>Not to be filled before this date (1306.12(b)); read, but not among the signed elements.</summary>
    public string EarliestFillDate { get; init; } = "";

    /// <summary>The prescriber's NPI; not a 1306.05(a) element, read to bind a CancelRx to its NewRx.</summary>
    public string PrescriberNpi { get; init; } = "";

    /// <summary>The patient's date of birth as sent; not a 1306.05(a) element, read to bind a CancelRx to its NewRx.</summary>
    public string PatientBirthDate { get; init; } = "";

    /// <summary>The <c>DEASchedule/Code</c> as sent ("" when absent). Controlled means present.</summary>
    public string DeaScheduleCode { get; init; } = "";

    /// <summary>
    /// True when the message says the drug is a controlled substance: a <c>DEASchedule/Code</c> is sent. The EPCS rules
    /// (21 CFR 1311 subpart C, 1306.05(a)) apply only then; see <see cref="DeaScheduleCodes.IsControlled"/>.
    /// </summary>
    public bool IsControlled => DeaScheduleCodes.IsControlled(DeaScheduleCode);

    /// <summary>
    /// The schedule, or null when not controlled. A code that is not one of the DEA schedule codes is
    /// <see cref="DeaSchedule.Unspecified"/>, like C38046, and so held to Schedule II rules.
    /// </summary>
    public DeaSchedule? Schedule => IsControlled ? DeaScheduleCodes.FromCode(DeaScheduleCode) ?? DeaSchedule.Unspecified : null;

    /// <summary>"Last, First Middle" for display and search; "" when no name was sent.</summary>
    public string PatientDisplayName => DisplayName(PatientLastName, PatientFirstName, PatientMiddleName);

    /// <summary>"Last, First Middle" for display and search; "" when no name was sent.</summary>
    public string PrescriberDisplayName => DisplayName(PrescriberLastName, PrescriberFirstName, PrescriberMiddleName);

    private static string DisplayName(string last, string first, string middle)
    {
        var given = string.Join(' ', new[] { first, middle }.Where(part => part.Length > 0));
        return (last.Length, given.Length) switch
        {
            (0, 0) => "",
            (0, _) => given,
            (_, 0) => last,
            _ => $"{last}, {given}",
        };
    }
}

/// <summary>A postal address as SCRIPT carries it; absent parts are "".</summary>
public sealed record PostalAddress(string Line1, string Line2, string City, string StateProvince, string PostalCode)
{
    public static PostalAddress Empty { get; } = new("", "", "", "", "");

    /// <summary>One line for display and export: "Line 1, Line 2, City, ST 12345", absent parts left out.</summary>
    public string OneLine => string.Join(", ",
        new[] { Line1, Line2, City, $"{StateProvince} {PostalCode}".Trim() }.Where(part => part.Length > 0));
}
