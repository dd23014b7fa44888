namespace PharmacyRx.Storage.Prescriptions;

/// <summary>
/// A search of prescriptions (1311.205(b)(11), 1306.22(c)). Names match by prefix, ignoring case and accents (the
/// patient's word by word, in any order); dates
/// are inclusive. Empty filters are ignored. Sort keys are an enum mapped to fixed columns: request text never reaches SQL.
/// </summary>
public sealed record PrescriptionQuery
{
    public string? Patient { get; init; }
    public string? Prescriber { get; init; }
    public string? Drug { get; init; }
    public DateOnly? DispensedFrom { get; init; }
    public DateOnly? DispensedTo { get; init; }
    public DateOnly? ReceivedFrom { get; init; }
    public DateOnly? ReceivedTo { get; init; }

    /// <summary>The patient's date of birth, exactly.</summary>
    public DateOnly? BirthDate { get; init; }

    /// <summary>An NCI schedule code (C48675) or a short name (CII).</summary>
    public string? Schedule { get; init; }

    /// <summary>The current status, e.g. VerifiedOnReceipt.</summary>
    public string? Status { get; init; }

    public long? PrescriptionNumber { get; init; }
    public PrescriptionSort Sort { get; init; } = PrescriptionSort.Received;
    public bool Descending { get; init; } = true;
    public int Page { get; init; } = 1;

    /// <summary>Rows per page, 1 to 200.</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>The largest page a search returns: a larger one is cut to it, and the doors refuse it.</summary>
    public const int MaxPageSize = 200;
}

/// <summary>What search results are ordered by (then by prescription number, so pages are stable).</summary>
public enum PrescriptionSort
{
    Received,
    Patient,
    Prescriber,
    Drug,
    Number,
}
