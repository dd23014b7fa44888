using PharmacyRx.Core.Access;

namespace PharmacyRx.Core.Tests.Access;

public class ExactNameTests
{
    [TestCase("Export", true)]
    [TestCase("export", true)]
    [TestCase("Export,ManageAccess", false)]
    [TestCase("7", false)]
    [TestCase("99", false)]
    [TestCase(" Export", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void Takes_exactly_one_name_never_a_number_or_a_combination(string? text, bool parsed)
    {
        Assert.That(ExactName.TryParse<Permission>(text, out var permission), Is.EqualTo(parsed));
        Assert.That(permission, Is.EqualTo(parsed ? Permission.Export : default(Permission)));
    }
}
