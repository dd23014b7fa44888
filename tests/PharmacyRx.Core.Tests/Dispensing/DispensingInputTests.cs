using PharmacyRx.Core.Access;
using PharmacyRx.Core.Dispensing;

namespace PharmacyRx.Core.Tests.Dispensing;

public class DispensingInputTests
{
    private static readonly DateOnly Day = new(2026, 12, 7);

    [TestCase(null, PartialFillBasis.None)]
    [TestCase("", PartialFillBasis.None)]
    [TestCase("None", PartialFillBasis.None)]
    [TestCase("UnableToSupply", PartialFillBasis.UnableToSupply)]
    [TestCase(" requestedbypatientorprescriber ", PartialFillBasis.RequestedByPatientOrPrescriber)]
    public void Reads_why_a_fill_is_partial_by_its_name(string? partial, PartialFillBasis expected)
    {
        var reading = DispensingInput.Read(5, Day, "SP", null, partial);

        Assert.That(reading.Request, Is.EqualTo(new DispensingRules.Request(5, Day, "SP", null, expected)));
    }

    [TestCase("1")]
    [TestCase("Partial")]
    [TestCase("UnableToSupply,RequestedByPatientOrPrescriber")]
    public void Refuses_a_partial_fill_basis_it_does_not_name(string partial)
    {
        var reading = DispensingInput.Read(5, Day, "SP", null, partial);

        Assert.That((reading.Request, reading.Code), Is.EqualTo(((DispensingRules.Request?)null, "UnknownPartialBasis")));
        Assert.That(reading.Reason, Does.Contain("None, UnableToSupply, RequestedByPatientOrPrescriber").And.Contain("1306.13(a)"));
    }

    [Test]
    public void Refuses_a_dispensing_without_its_quantity_or_date_and_text_over_the_limit()
    {
        var longText = new string('x', TextLimits.Text + 1);

        Assert.That(DispensingInput.Read(null, Day, "SP", null, null).Code, Is.EqualTo("Incomplete"));
        Assert.That(DispensingInput.Read(5, null, "SP", null, null).Code, Is.EqualTo("Incomplete"));
        Assert.That(DispensingInput.Read(5, Day, longText, null, null).Code, Is.EqualTo("TooLong"));
        Assert.That(DispensingInput.Read(5, Day, "SP", longText, null).Code, Is.EqualTo("TooLong"));
    }

    [Test]
    public void A_blank_reason_is_no_reason()
    {
        Assert.That(DispensingInput.Read(5, Day, null, "  ", null).Request, Is.EqualTo(new DispensingRules.Request(5, Day, "", null)));
    }
}
