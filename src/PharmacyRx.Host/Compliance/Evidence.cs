namespace PharmacyRx.Host.Compliance;

/// <summary>
/// One live check made on this installation: what was checked, how it stands, the values seen, and (when it does not
/// pass) what pharmacy IT must do, in words an auditor reads.
/// </summary>
public sealed record Evidence(string Check, ComplianceStatus Status, string Detail, string? Action = null);
