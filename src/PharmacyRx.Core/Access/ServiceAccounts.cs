namespace PharmacyRx.Core.Access;

/// <summary>
/// What a service account may never hold, directly or through a role: the pharmacist's functions and access management.
/// An administrator can make a service account's API key, so these would let them act as someone else
/// (1311.205(b)(1)-(2)); the grant is refused, and so is the permission check should a row say otherwise.
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
