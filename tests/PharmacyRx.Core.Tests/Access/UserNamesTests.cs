using PharmacyRx.Core.Access;

namespace PharmacyRx.Core.Tests.Access;

public class UserNamesTests
{
    [TestCase("Pharm1", "pharm1")]
    [TestCase("\uFF30\uFF48\uFF41\uFF52\uFF4D\uFF11", "pharm1")]
    [TestCase("ADMIN", "admin")]
    public void Normalises_to_one_spelling(string name, string normalised) => Assert.That(UserNames.Normalize(name), Is.EqualTo(normalised));

    [TestCase("\u0430dmin", "admin")]
    [TestCase("\u0430\u0501min", "admin")]
    [TestCase("ph\u03b1rm1", "pharm1")]
    [TestCase("pharml", "pharm1")]
    [TestCase("adrnin", "admin")]
    [TestCase("\u0455\u0435nd\u0435r", "sender")]
    public void Finds_the_existing_name_a_look_alike_copies(string name, string existing) =>
        Assert.That(UserNames.LookAlikeOf(UserNames.Normalize(name), ["tech1", existing]), Is.EqualTo(existing));

    [TestCase("admin2")]
    [TestCase("pharm2")]
    [TestCase("admin")]
    public void Lets_different_names_and_the_same_name_through(string name) =>
        Assert.That(UserNames.LookAlikeOf(name, ["admin", "pharm1"]), Is.Null);

    [TestCase("pharm\u0430", "mixes scripts")]
    [TestCase("bad name", "letters, digits")]
    [TestCase("", "letters, digits")]
    public void Refuses_mixed_scripts_and_odd_characters(string name, string problem) =>
        Assert.That(UserNames.Problem(name), Does.Contain(problem));

    [TestCase("\u0438\u0432\u0430\u043d")]
    [TestCase("jos\u00e9")]
    [TestCase("\u03b1\u03bb\u03ad\u03be\u03b7\u03c2")]
    public void Takes_a_name_in_one_script(string name) => Assert.That(UserNames.Problem(UserNames.Normalize(name)), Is.Null);
}
