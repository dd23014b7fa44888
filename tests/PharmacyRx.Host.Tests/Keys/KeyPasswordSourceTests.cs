using PharmacyRx.Host.Keys;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Keys;

public class KeyPasswordSourceTests
{
    [Test]
    [Property("Rule", "1311.205(b)(4)")]
    public void Reads_the_secret_file_before_the_variable_and_drops_its_trailing_newline()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("secret"), "from-the-secret-file\n");
        var environment = new Dictionary<string, string?>
        {
            [KeyPasswordSource.FileVariableName] = folder.File("secret"),
            [KeyPasswordSource.VariableName] = "from-the-variable-xx",
        };

        var password = KeyPasswordSource.Read(name => environment.GetValueOrDefault(name), out _);

        Assert.That(new string(password), Is.EqualTo("from-the-secret-file"));
    }

    [Test]
    public void Reads_the_variable_when_there_is_no_file()
    {
        var password = KeyPasswordSource.Read(name => name == KeyPasswordSource.VariableName ? "from-the-variable-xx" : null, out _);

        Assert.That(new string(password), Is.EqualTo("from-the-variable-xx"));
    }

    [Test]
    public void Explains_what_to_set_when_neither_is_set()
    {
        Assert.That(KeyPasswordSource.Read(_ => null, out var problem), Is.Null);
        Assert.That(problem, Does.Contain(KeyPasswordSource.VariableName).And.Contain(KeyPasswordSource.FileVariableName));
    }

    [Test]
    public void Refuses_a_short_password()
    {
        Assert.That(KeyPasswordSource.Read(name => name == KeyPasswordSource.VariableName ? "short" : null, out var problem), Is.Null);
        Assert.That(problem, Does.Contain("12"));
    }
}
