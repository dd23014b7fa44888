using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Prescriptions;

/// <summary>The search keys of a prescription's patient, prescriber and drug (<see cref="SearchKey"/>).</summary>
public sealed record PrescriptionKeys(string Patient, string Prescriber, string Drug)
{
    public static PrescriptionKeys From(DeaElements elements) => new(
        SearchKey.Normalize(elements.PatientDisplayName), SearchKey.Normalize(elements.PrescriberDisplayName), SearchKey.Normalize(elements.DrugDescription));
}
