namespace PharmacyRx.Host.Compliance;

/// <summary>
/// One paragraph of the regulation in the compliance report: its text, what the service does for it, the live evidence
/// checked now, and the tests that prove the behaviour. <see cref="Status"/> is the worst of them.
/// </summary>
public sealed record ParagraphReport(
    string Paragraph, string Title, string Text, string Service, ComplianceStatus Status, IReadOnlyList<Evidence> Evidence, IReadOnlyList<TestOutcome> Tests);
