using PharmacyRx.Core.Prescriptions;

namespace PharmacyRx.Core.Tests.Prescriptions;

public class SearchKeyTests
{
    [TestCase("Müller, Zoë", "muller, zoe")]
    [TestCase("  O'BRIEN,   Seán ", "o'brien, sean")]
    [TestCase("Ñúñez", "nunez")]
    public void Drops_accents_case_and_extra_spaces(string name, string key)
    {
        Assert.That(SearchKey.Normalize(name), Is.EqualTo(key));
    }

    [Test]
    public void A_prefix_range_holds_every_key_that_starts_with_it_and_no_other()
    {
        var prefix = SearchKey.Normalize("MÜL");
        var end = SearchKey.PrefixEnd(prefix);

        Assert.That(string.CompareOrdinal("muller, zoe", prefix) >= 0 && string.CompareOrdinal("muller, zoe", end) < 0, Is.True);
        Assert.That(string.CompareOrdinal("mum", end) < 0 && string.CompareOrdinal("mum", prefix) >= 0, Is.False);
    }
}
