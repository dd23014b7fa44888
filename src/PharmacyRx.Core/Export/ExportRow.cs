namespace PharmacyRx.Core.Export;

/// <summary>
/// One row of an inspector's export: one dispensing, or one prescription never dispensed (the fill columns null).
/// Values are as recorded: the prescription's from its as-received record, the fill's from the dispensing record.
/// </summary>
public sealed record ExportRow
{
    public required long PrescriptionNumber { get; init; }

    /// <summary>yyyy-MM-dd as sent.</summary>
    public required string WrittenDate { get; init; }

    /// <summary>CII ... CV, C? for an unspecified schedule, "" when not controlled.</summary>
    public required string Schedule { get; init; }

    public required string PatientName { get; init; }
    public required string PatientAddress { get; init; }
    public required string PrescriberName { get; init; }
    public required string PrescriberAddress { get; init; }
    public required string PrescriberDeaNumber { get; init; }
    public required string DrugName { get; init; }
    public required string Strength { get; init; }
    public required string DosageForm { get; init; }
    public required string QuantityPrescribed { get; init; }
    public required string QuantityUnit { get; init; }
    public required string RefillsAuthorized { get; init; }

    /// <summary>yyyy-MM-dd; null for a prescription never dispensed.</summary>
    public string? DateFilled { get; init; }

    public string? QuantityDispensed { get; init; }
    public string? Dispenser { get; init; }

    /// <summary>0 for the first fill, 1 for the first refill; null for a prescription never dispensed.</summary>
    public int? RefillNumber { get; init; }

    /// <summary>Active, Cancelled (a CancelRx arrived), Voided or Transferred out.</summary>
    public required string Status { get; init; }

    /// <summary>The current verification status (<see cref="Receiving.PrescriptionStatus"/> name).</summary>
    public required string Verification { get; init; }
}
