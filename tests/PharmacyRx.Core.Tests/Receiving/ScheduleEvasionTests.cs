using System.Xml.Linq;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Receiving;

/// <summary>
/// A sender cannot get a controlled prescription sealed as not controlled (skipping the 1311 subpart C checks) by the
/// shape of its DEASchedule: an empty one before the real one, one inside a compound ingredient, the code straight in
/// the element, or the element in another namespace. Any non-empty code anywhere in the medication is controlled, and
/// the strictest schedule sent is the one the rules apply.
/// </summary>
public class ScheduleEvasionTests
{
    private static readonly XNamespace Ns = SyntheticNewRx.Script;

    private static ReadResult ReadWith(params XElement[] extra)
    {
        var document = SyntheticNewRx.NotControlled.ToDocument();
        var medication = document.Descendants(Ns + "MedicationPrescribed").Single();
        medication.Element(Ns + "DrugCoded")!.Add(extra);
        return new ScriptMessageReader().Read(System.Text.Encoding.UTF8.GetBytes(document.ToString()));
    }

    private static XElement Schedule(string code) => new(Ns + "DEASchedule", new XElement(Ns + "Code", code));

    private static void AssertControlled(ReadResult read, DeaSchedule schedule)
    {
        Assert.That(read.Message!.Elements.Schedule, Is.EqualTo(schedule));
        Assert.That(ReceiptDecision.Decide(read).Status, Is.EqualTo(PrescriptionStatus.NeedsPharmacistReview));
    }

    [Test]
    public void An_empty_DEASchedule_before_a_controlled_one_does_not_make_the_drug_uncontrolled() =>
        AssertControlled(ReadWith(Schedule(""), Schedule("C48675")), DeaSchedule.ScheduleII);

    [Test]
    public void The_strictest_of_two_DEASchedule_codes_is_the_schedule() =>
        AssertControlled(ReadWith(Schedule("C48679"), Schedule("C48675")), DeaSchedule.ScheduleII);

    [Test]
    public void A_controlled_compound_ingredient_makes_the_prescription_controlled()
    {
        var document = SyntheticNewRx.NotControlled.ToDocument();
        document.Descendants(Ns + "MedicationPrescribed").Single().Add(
            new XElement(Ns + "CompoundInformation",
                new XElement(Ns + "CompoundIngredientsLotNotUsed",
                    new XElement(Ns + "CompoundIngredient",
                        new XElement(Ns + "CompoundIngredientItemDescription", "Synthetic ingredient"),
                        Schedule(" c48675 ")))));

        var read = new ScriptMessageReader().Read(System.Text.Encoding.UTF8.GetBytes(document.ToString()));

        AssertControlled(read, DeaSchedule.Unspecified);
    }

    [Test]
    public void A_code_written_straight_in_DEASchedule_is_controlled() =>
        AssertControlled(ReadWith(new XElement(Ns + "DEASchedule", "C48675")), DeaSchedule.ScheduleII);

    [Test]
    public void A_DEASchedule_in_another_namespace_is_controlled()
    {
        XNamespace other = "urn:example:other";
        AssertControlled(ReadWith(new XElement(other + "DEASchedule", new XElement(other + "Code", "C48675"))), DeaSchedule.ScheduleII);
    }

    [Test]
    public void A_DEASchedule_element_named_in_another_case_is_controlled() =>
        AssertControlled(ReadWith(new XElement(Ns + "DeaSchedule", new XElement(Ns + "code", "C48675"))), DeaSchedule.ScheduleII);

    [Test]
    public void A_whitespace_or_lowercase_code_is_still_controlled()
    {
        AssertControlled(ReadWith(Schedule(" C48675\t")), DeaSchedule.ScheduleII);
        AssertControlled(ReadWith(Schedule("c48675")), DeaSchedule.Unspecified);
    }

    [Test]
    public void An_empty_DEASchedule_alone_is_still_not_controlled() =>
        Assert.That(ReceiptDecision.Decide(ReadWith(Schedule(""))).ReasonCode, Is.EqualTo(ReceiptDecision.NotControlled));
}
