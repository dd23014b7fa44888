namespace PharmacyRx.Core.Access;

/// <summary>
/// What lets someone act as a dispenser, modelled on what 21 CFR 1311.125 requires of prescribing applications: an
/// account that can Dispense, Annotate, Alter or Delete, and ManageAccess (which can make one). Creating such an account,
/// granting one of these, and resetting such an account's password take effect only when a second person with
/// ManageAccess approves, once the pharmacy has two who could.
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
