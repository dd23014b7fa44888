namespace PharmacyRx.Core.Audit;

/// <summary>
/// 1311.215(a)(2): finds, in audit order, a grant made TO an administrator BY an account that administrator created,
/// re-enabled or reset: rights one may not grant oneself (1311.205(b)(2)), so each is an attempted unauthorized
/// modification in the daily report. Feed it every event from the first.
/// </summary>
public sealed class SelfGrantWatch
{
    // The account → who created, re-enabled or reset it (so knows or controls its password) and how.
    private readonly Dictionary<string, Dictionary<string, string>> _controllers = new(StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, string> Controlling = new(StringComparer.Ordinal)
    {
        [AuditEventTypes.UserCreated] = "created",
        [AuditEventTypes.UserEnabled] = "re-enabled",
        [AuditEventTypes.PasswordReset] = "reset",
    };

    private static readonly HashSet<string> Grants = new(StringComparer.Ordinal) { AuditEventTypes.PermissionGranted, AuditEventTypes.RoleAssigned };

    // Each account → the roles it holds, as the trail says (created with, assigned, removed): a permission given to a
    // role is a grant to everyone who holds it.
    private readonly Dictionary<string, string[]> _roles = new(StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> RoleChanges = new(StringComparer.Ordinal)
    {
        AuditEventTypes.UserCreated, AuditEventTypes.RoleAssigned, AuditEventTypes.RoleRemoved,
    };

    /// <summary>Why this event is a grant to oneself through an account one controls, or null.</summary>
    public string? Next(AuditEvent auditEvent)
    {
        if (auditEvent.Outcome != AuditOutcome.Success)
        {
            return null;
        }
        if (RoleChanges.Contains(auditEvent.Type) && RolesAfter(auditEvent.Details) is { } roles)
        {
            _roles[auditEvent.Target] = roles;
        }
        if (auditEvent.Type == AuditEventTypes.RolePermissionGranted
            && auditEvent.Target.StartsWith("role:", StringComparison.Ordinal)
            && _controllers.TryGetValue(auditEvent.Actor, out var controlling)
            && controlling.FirstOrDefault(c => _roles.TryGetValue(c.Key, out var held) && held.Contains(auditEvent.Target[5..], StringComparer.OrdinalIgnoreCase)) is
                { Key: not null } holder)
        {
            return $"{auditEvent.Actor} was {holder.Value} by {holder.Key}, who holds {auditEvent.Target} and so receives this grant: rights given to oneself through an account one controls";
        }
        if (Controlling.TryGetValue(auditEvent.Type, out var how))
        {
            if (!_controllers.TryGetValue(auditEvent.Target, out var controllers))
            {
                _controllers[auditEvent.Target] = controllers = new(StringComparer.OrdinalIgnoreCase);
            }
            controllers.TryAdd(auditEvent.Actor, how);
            // Whoever controls the actor controls what the actor creates, re-enables or resets (a chain of accounts).
            if (_controllers.TryGetValue(auditEvent.Actor, out var upstream))
            {
                foreach (var (controller, theirs) in upstream.ToArray())
                {
                    if (!controller.Equals(auditEvent.Target, StringComparison.OrdinalIgnoreCase))
                    {
                        controllers.TryAdd(controller, $"{how} by {auditEvent.Actor}, who was {theirs}");
                    }
                }
            }
            return null;
        }
        return Grants.Contains(auditEvent.Type)
            && _controllers.TryGetValue(auditEvent.Actor, out var granters)
            && granters.TryGetValue(auditEvent.Target, out var relation)
            ? $"{auditEvent.Actor} was {relation} by {auditEvent.Target}, who receives this grant: rights given to oneself through an account one controls"
            : null;
    }

    /// <summary>The roles an access-control event says the account holds afterwards ("after: …; roles=A,B; …"), or null.</summary>
    private static string[]? RolesAfter(string details)
    {
        var after = details.IndexOf("after:", StringComparison.Ordinal);
        var roles = after < 0 ? -1 : details.IndexOf("roles=", after, StringComparison.Ordinal);
        if (roles < 0)
        {
            return null;
        }
        var end = details.IndexOf(';', roles);
        return details[(roles + "roles=".Length)..(end < 0 ? details.Length : end)].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
