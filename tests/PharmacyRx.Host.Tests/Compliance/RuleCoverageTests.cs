using System.Reflection;
using PharmacyRx.Host.Compliance;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Compliance;

/// <summary>
/// Every paragraph the compliance report answers for is proven by at least one test somewhere in the suites: a test carries
/// <c>[Property("Rule", "PARAGRAPH")]</c> for each paragraph it proves, and names only paragraphs the report knows.
/// </summary>
public class RuleCoverageTests
{
    private static readonly string[] Suites = ["PharmacyRx.Core.Tests", "PharmacyRx.Storage.Tests", "PharmacyRx.Host.Tests"];

    // Each suite's assembly sits beside this one's, in the same configuration: tests/SUITE/bin/CONFIGURATION/TFM/SUITE.dll.
    private static IEnumerable<(string Test, string Rule)> RuleProperties()
    {
        var here = AppContext.BaseDirectory;
        foreach (var suite in Suites)
        {
            var path = Path.Combine(here.Replace("PharmacyRx.Host.Tests", suite, StringComparison.Ordinal), suite + ".dll");
            Assert.That(path, Does.Exist, $"{suite} is built beside {Path.GetFileName(typeof(RuleCoverageTests).Assembly.Location)}");
            var assembly = suite == "PharmacyRx.Host.Tests" ? typeof(RuleCoverageTests).Assembly : Assembly.LoadFrom(path);
            foreach (var method in Types(assembly).SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)))
            {
                foreach (var attribute in method.GetCustomAttributesData().Where(a => a.AttributeType.FullName == "NUnit.Framework.PropertyAttribute"))
                {
                    if (attribute.ConstructorArguments is [{ Value: string name }, { Value: string value }] && name == ComplianceCatalogue.RuleProperty)
                    {
                        yield return ($"{method.DeclaringType!.FullName}.{method.Name}", value);
                    }
                }
            }
        }
    }

    private static IEnumerable<Type> Types(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }

    [Test]
    public void Every_paragraph_of_the_report_has_a_test_that_proves_it()
    {
        var proven = RuleProperties().Select(p => p.Rule).ToHashSet(StringComparer.Ordinal);

        var unproven = ComplianceCatalogue.Entries.Select(e => e.Paragraph).Where(p => !proven.Contains(p)).ToArray();

        Assert.That(unproven, Is.Empty, "paragraphs no test carries [Property(\"Rule\", …)] for");
    }

    [Test]
    public void Every_rule_a_test_names_is_a_paragraph_of_the_report()
    {
        var known = ComplianceCatalogue.Entries.Select(e => e.Paragraph).ToHashSet(StringComparer.Ordinal);

        var unknown = RuleProperties().Where(p => !known.Contains(p.Rule)).Select(p => $"{p.Test}: {p.Rule}").ToArray();

        Assert.That(unknown, Is.Empty);
    }

    [Test]
    public void Tests_name_their_paragraphs_in_their_output_as_the_results_reader_expects()
    {
        Assert.That(RuleOutputAttribute.Marker, Is.EqualTo(TestResults.RuleMarker));
        Assert.That(typeof(RuleCoverageTests).Assembly.GetCustomAttributes(typeof(RuleOutputAttribute), inherit: false), Has.Length.EqualTo(1));
    }

    [Test]
    public void Every_paragraph_quotes_its_text_from_the_regulation()
    {
        var missing = ComplianceCatalogue.Entries.Where(e => string.IsNullOrWhiteSpace(RegulationText.Of(e.Paragraph))).Select(e => e.Paragraph).ToArray();

        Assert.That(missing, Is.Empty);
        Assert.That(RegulationText.Of("1311.205(b)(17)"), Is.EqualTo("(17) The pharmacy application must back up the controlled substance prescription records daily."));
    }
}
