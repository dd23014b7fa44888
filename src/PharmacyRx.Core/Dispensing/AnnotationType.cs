namespace PharmacyRx.Core.Dispensing;

/// <summary>
/// The kinds of annotation a pharmacist appends to a prescription (1311.200(f), 1306.08(c)). Stored by name.
/// The as-received record never changes; annotations are appended, each with who and when.
/// </summary>
public enum AnnotationType
{
    /// <summary>Free text.</summary>
    Note,

    /// <summary>A partial filling and what remains (1306.13).</summary>
    PartialFill,

    /// <summary>An emergency oral authorization this prescription follows up, with its original date (1306.11(d)(4)).</summary>
    EmergencyOralAuthorization,

    /// <summary>Filled by a central fill pharmacy (1306.15): its name, address, DEA number, the transmitting pharmacist, the date.</summary>
    CentralFill,

    /// <summary>Transferred to another pharmacy (1306.25): void for dispensing here from then on.</summary>
    TransferOut,

    /// <summary>Refills the practitioner authorized later (1306.22(e)).</summary>
    RefillAuthorization,

    /// <summary>Voided with a reason (1311.200(g)-(h)): no longer dispensable.</summary>
    Void,

    /// <summary>A corrected field and value; the current view shows both, the as-received record is unchanged.</summary>
    Correction,

    /// <summary>The pharmacist reviewed a prescription that needed review (1311.205(b)(6)(ii), (b)(9)): dispensable after it.</summary>
    PharmacistReview,

    /// <summary>
    /// A pharmacist dealt with an Invalid or Rejected record, with a reason (1311.215(a)): it leaves the queue and stays
    /// as it is, never dispensable (DispensingRules reads no resolution).
    /// </summary>
    Resolution,
}
