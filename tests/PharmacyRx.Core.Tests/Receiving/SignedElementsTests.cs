using PharmacyRx.Core.Receiving;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Receiving;

public class SignedElementsTests
{
    [Test]
    public void Formats_one_line_per_element_in_the_documented_order_with_absent_elements_empty()
    {
        var elements = new ScriptMessageReader().Read(new SyntheticNewRx { PatientAddress = false }.ToBytes()).Message!.Elements;

        var canonical = SignedElements.Format(elements);

        // The contract with senders (schemas/signed-elements.md); a change here is a new SignedElementsVersion.
        Assert.That(canonical, Is.EqualTo("""
            SignedElementsVersion:1
            PrescriberDEANumber:FT1234563
            PrescriberLastName:Testprescriber
            PrescriberFirstName:Sam
            PrescriberMiddleName:
            PrescriberAddressLine1:1 Clinic Way
            PrescriberAddressLine2:
            PrescriberCity:Springfield
            PrescriberStateProvince:IL
            PrescriberPostalCode:62702
            PatientLastName:Testpatient
            PatientFirstName:Alex
            PatientMiddleName:
            PatientAddressLine1:
            PatientAddressLine2:
            PatientCity:
            PatientStateProvince:
            PatientPostalCode:
            DrugDescription:Oxycodone Hydrochloride 5 MG Oral Tablet
            DrugStrengthValue:5
            DrugStrengthUnit:C28253
            DosageForm:C42998
            QuantityValue:20
            QuantityUnit:C48542
            Directions:Take 1 tablet by mouth every 6 hours as needed for pain
            WrittenDate:2026-11-20
            NumberOfRefills:0
            DEASchedule:C48675

            """.ReplaceLineEndings("\n")));
    }

    [Test]
    [Property("Rule", "1311.205(b)(9)")]
    public void Names_missing_required_elements_of_a_controlled_prescription()
    {
        var elements = new DeaElements { DeaScheduleCode = "C48676", PatientLastName = "Testpatient" };

        var missing = SignedElements.MissingRequired(elements);

        Assert.That(missing, Does.Contain("PrescriberDEANumber").And.Contain("PatientAddressLine1").And.Contain("Directions"));
        Assert.That(missing, Does.Not.Contain("PatientLastName").And.Not.Contain("PatientMiddleName"));
    }

    [Test]
    public void Requires_nothing_of_a_prescription_that_is_not_controlled()
    {
        Assert.That(SignedElements.MissingRequired(new DeaElements()), Is.Empty);
    }

    [TestCase("  a \t b\n\nc  ", "a b c")]
    [TestCase("", "")]
    [TestCase("Cafe\u0301", "Caf\u00e9")]
    public void Normalizes_values(string raw, string expected)
    {
        Assert.That(SignedElements.Normalize(raw), Is.EqualTo(expected));
    }
}
