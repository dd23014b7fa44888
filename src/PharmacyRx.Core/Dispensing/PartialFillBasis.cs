namespace PharmacyRx.Core.Dispensing;

/// <summary>Why a Schedule II prescription is filled in part, which decides how long its remainder may wait. Stored by name.</summary>
public enum PartialFillBasis
{
    /// <summary>Not asked as a partial fill: a smaller quantity is read as the pharmacy being unable to supply the rest.</summary>
    None,

    /// <summary>The pharmacy cannot supply the full quantity: the remainder within 72 hours of the first filling (1306.13(a)).</summary>
    UnableToSupply,

    /// <summary>The patient or the prescriber asked for a partial fill: the remainder within 30 days of the written date (21 U.S.C. 829(f)(2)).</summary>
    RequestedByPatientOrPrescriber,
}
