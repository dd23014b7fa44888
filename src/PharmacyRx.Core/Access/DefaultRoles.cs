namespace PharmacyRx.Core.Access;

/// <summary>The roles a new installation starts with; pharmacy IT may change what each grants (audited).</summary>
public static class DefaultRoles
{
    public const string Pharmacist = "Pharmacist";
    public const string Technician = "Technician";
    public const string PharmacyAdmin = "PharmacyAdmin";
    public const string Inspector = "Inspector";
    public const string Auditor = "Auditor";

    /// <summary>Each default role with its permissions, as the 0006 migration seeds them.</summary>
    public static IReadOnlyDictionary<string, Permission[]> Grants { get; } = new Dictionary<string, Permission[]>
    {
        [Pharmacist] = [Permission.ReadPrescriptions, Permission.Annotate, Permission.Dispense, Permission.AlterPrescription, Permission.DeletePrescription],
        [Technician] = [Permission.ReadPrescriptions, Permission.Annotate],
        [PharmacyAdmin] = [Permission.ManageAccess, Permission.RunBackup, Permission.ManageTrust, Permission.ReadAudit],
        [Inspector] = [Permission.ReadPrescriptions, Permission.Export],
        [Auditor] = [Permission.ReadAudit],
    };
}
