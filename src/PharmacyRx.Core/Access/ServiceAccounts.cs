namespace PharmacyRx.Core.Access;

/// <summary>
/// What a service account may never hold, directly or through a role: the pharmacist's functions and access management.
/// An API key can be made for a service account by an administrator, so these would let the administrator act as
/// someone else (1311.205(b)(1)-(2)). The grant is refused and, should a row say otherwise, the
/// permission check refuses it too.
/// </summary>
public static class ServiceAccounts
{
    public static IReadOnlySet<Permission> Forbidden { get; } = new HashSet<Permission>
    {
        Permission.Dispense, Permission.Annotate, Permission.AlterPrescription, Permission.DeletePrescription, Permission.ManageAccess,
    };

    /// <summary>Whether a user of this kind may hold the permission.</summary>
    public static bool MayHold(UserKind kind, Permission permission) => kind != UserKind.Service || !Forbidden.Contains(permission);
}
