namespace PharmacyRx.Core.Audit;

/// <summary>
/// 1311.215(a)(2): finds, in audit order, a grant (a permission, or a role) made TO an administrator BY an account that
/// administrator created, re-enabled or reset — a way to give oneself rights one may not grant oneself (1311.205(b)(2)).
/// Each such grant is an attempted unauthorized modification in the daily report. Feed it every event from the first.
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

    /// <summary>Why this event is a grant to oneself through an account one controls, or null.</summary>
    public string? Next(AuditEvent auditEvent)
    {
        if (auditEvent.Outcome != AuditOutcome.Success)
        {
            return null;
        }
        if (Controlling.TryGetValue(auditEvent.Type, out var how))
        {
            if (!_controllers.TryGetValue(auditEvent.Target, out var controllers))
            {
                _controllers[auditEvent.Target] = controllers = new(StringComparer.OrdinalIgnoreCase);
            }
            controllers.TryAdd(auditEvent.Actor, how);
            return null;
        }
        return Grants.Contains(auditEvent.Type)
            && _controllers.TryGetValue(auditEvent.Actor, out var granters)
            && granters.TryGetValue(auditEvent.Target, out var relation)
            ? $"{auditEvent.Actor} was {relation} by {auditEvent.Target}, who receives this grant: rights given to oneself through an account one controls"
            : null;
    }
}
