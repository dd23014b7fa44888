namespace PharmacyRx.Core.Access;

/// <summary>
/// What lets someone act as a dispenser (after 21 CFR 1311.125 for prescribing applications): Dispense, Annotate,
/// Alter, Delete and ManageAccess. Creating an account with one, granting one, or resetting such an account's password
/// waits for a second ManageAccess approver, once the pharmacy has two who could.
/// </summary>
public static class TwoPersonRule
{
    public static IReadOnlySet<Permission> Guarded { get; } = new HashSet<Permission>
    {
        Permission.Dispense, Permission.Annotate, Permission.AlterPrescription, Permission.DeletePrescription, Permission.ManageAccess,
    };

    /// <summary>How many people with ManageAccess the rule needs before it applies (a fresh install's one administrator adds the second).</summary>
    public const int Approvers = 2;

    public static bool Guards(Permission permission) => Guarded.Contains(permission);

    /// <summary>True when any of <paramref name="permissions"/> (by name) is guarded.</summary>
    public static bool GuardsAny(IEnumerable<string> permissions) =>
        permissions.Any(p => ExactName.TryParse<Permission>(p, out var permission) && Guards(permission));
}
