namespace PharmacyRx.Host.Compliance;

/// <summary>
/// The compliance self-report (<c>pharmacyrx compliance</c>): every paragraph of 21 CFR 1311.205(b), 1311.210,
/// 1311.215(a)-(c), 1311.305 and 1304.04(h)(5) with its live evidence and its tests. The JSON shape is
/// <c>schemas/compliance-report.schema.json</c>.
/// </summary>
public sealed record ComplianceReport(
    DateTimeOffset GeneratedAt, string DataFolder, string? TestResults, ComplianceSummary Summary, IReadOnlyList<ParagraphReport> Paragraphs)
{
    /// <summary>0 when no paragraph fails, 1 otherwise, so monitoring can run the command daily.</summary>
    public int ExitCode => Summary.Fail == 0 ? 0 : 1;
}
