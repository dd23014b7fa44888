using NUnit.Framework;
using NUnit.Framework.Interfaces;

namespace PharmacyRx.Testing;

/// <summary>
/// Writes, at the start of each test, one line per paragraph it proves (its <c>[Property("Rule", "PARAGRAPH")]</c>, on the
/// test, its method or its fixture) to the test's output: the TRX logger keeps a test's output but not its properties, so
/// this is how <c>pharmacyrx compliance --test-results</c> learns which test proves which paragraph. Applied to every
/// test assembly by <c>tests/Directory.Build.props</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class RuleOutputAttribute : Attribute, ITestAction
{
    /// <summary>The start of the line; the compliance report's TRX reader looks for the same words.</summary>
    public const string Marker = "PharmacyRx test proves ";

    private const string RuleProperty = "Rule";

    public ActionTargets Targets => ActionTargets.Test;

    public void BeforeTest(ITest test)
    {
        // ContainsKey first: the indexer adds a missing key, and tests run in parallel read the same fixture's properties.
        for (var node = test; node is not null; node = node.Parent)
        {
            if (!node.Properties.ContainsKey(RuleProperty))
            {
                continue;
            }
            foreach (var rule in node.Properties[RuleProperty])
            {
                TestContext.Out.WriteLine(Marker + rule);
            }
        }
    }

    public void AfterTest(ITest test)
    {
    }
}
