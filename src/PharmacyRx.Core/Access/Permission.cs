namespace PharmacyRx.Core.Access;

/// <summary>
/// What a user may do (1311.205(b)(1)-(2)): granted to a user by name or through a role. Stored by name, so the names
/// are part of the database contract.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "Permission is the word of 1311.205(b)")]
public enum Permission
{
    /// <summary>Search and open prescriptions, their annotations and dispensing history.</summary>
    ReadPrescriptions,

    /// <summary>Append annotations: notes, partial fills, authorizations, central fill, review (1311.200(f)).</summary>
    Annotate,

    /// <summary>Record a dispensing (1311.205(b)(10)).</summary>
    Dispense,

    /// <summary>Correct prescription information or transfer it out (1311.205(b)(1)).</summary>
    AlterPrescription,

    /// <summary>Void a prescription (1311.200(g)-(h)).</summary>
    DeletePrescription,

    /// <summary>Set and change access controls: users, roles, grants, API keys (1311.205(b)(2)).</summary>
    ManageAccess,

    /// <summary>Export records for inspectors (1311.205(b)(12)).</summary>
    Export,

    /// <summary>Read the audit trail and its reports (1311.215).</summary>
    ReadAudit,

    /// <summary>Run and restore backups (1311.205(b)(17)).</summary>
    RunBackup,

    /// <summary>Manage trusted authorities, CRLs and keys.</summary>
    ManageTrust,
}
