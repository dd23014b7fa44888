namespace PharmacyRx.Host.Compliance;

/// <summary>How many paragraphs pass, warn and fail.</summary>
public sealed record ComplianceSummary(int Pass, int Warn, int Fail)
{
    /// <summary>One line, as the daily audit report and the command's last line say it.</summary>
    public override string ToString() => $"{Pass} paragraphs pass, {Warn} warn, {Fail} fail";
}
