using PharmacyRx.Core.Prescriptions;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Tests.Receiving;

public sealed class NcpdpCodesTests
{
    [TestCase("C28253", "mg")]
    [TestCase("C48542", "tablet")]
    [TestCase("C42998", "tablet")]
    [TestCase("C28254", "mL")]
    [TestCase("C99999", "C99999")]
    [TestCase("", "")]
    public void Describes_a_unit_or_form_code_in_words_and_shows_an_unknown_one_as_sent(string code, string words) =>
        Assert.That(NcpdpCodes.Describe(code), Is.EqualTo(words));

    [TestCase("C48675", "CII")]
    [TestCase("C48679", "CV")]
    [TestCase("C38046", "C? (unspecified)")]
    [TestCase("", "not controlled")]
    [TestCase("X1", "X1")]
    public void Names_the_schedule_as_a_pharmacist_reads_it(string code, string schedule) =>
        Assert.That(NcpdpCodes.Schedule(code), Is.EqualTo(schedule));
}
