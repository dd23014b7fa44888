namespace PharmacyRx.Host.Compliance;

/// <summary>A test that proves a paragraph and its last outcome in the test results read (<c>passed</c>, <c>failed</c>, <c>skipped</c>…).</summary>
public sealed record TestOutcome(string Name, string Outcome);
