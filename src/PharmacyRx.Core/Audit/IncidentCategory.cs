namespace PharmacyRx.Core.Audit;

/// <summary>The auditable events the daily analysis looks for (1311.215(a)(1)-(5)).</summary>
public enum IncidentCategory
{
    /// <summary>(a)(1) Attempted unauthorized access: refused functions, failed or throttled logins.</summary>
    UnauthorizedAccess,

    /// <summary>
    /// (a)(2) Attempted unauthorized modification or destruction of information or records; also a grant made to an
    /// administrator by an account that administrator created, re-enabled or reset (<see cref="SelfGrantWatch"/>).
    /// </summary>
    UnauthorizedModification,

    /// <summary>(a)(3) Interference with operations: failed backups, failed CRL fetches, a clock out of bounds.</summary>
    InterferenceWithOperations,

    /// <summary>(a)(4) Any setting or change of the access controls.</summary>
    AccessControlChange,

    /// <summary>(a)(5) Attempted or successful interference with the audit trail: a broken hash chain, a truncation.</summary>
    AuditTrailInterference,
}

/// <summary>Which audit event types fall under which category of 1311.215(a).</summary>
public static class IncidentCategories
{
    private static readonly Dictionary<string, IncidentCategory> ByType = new(StringComparer.Ordinal)
    {
        [AuditEventTypes.UnauthorizedAccessAttempt] = IncidentCategory.UnauthorizedAccess,
        [AuditEventTypes.LoginFailed] = IncidentCategory.UnauthorizedAccess,
        [AuditEventTypes.LoginThrottled] = IncidentCategory.UnauthorizedAccess,
        [AuditEventTypes.UnauthorizedModificationAttempt] = IncidentCategory.UnauthorizedModification,
        [AuditEventTypes.CrlRefused] = IncidentCategory.UnauthorizedModification,
        [AuditEventTypes.BackupFailed] = IncidentCategory.InterferenceWithOperations,
        [AuditEventTypes.CrlFetchFailed] = IncidentCategory.InterferenceWithOperations,
        [AuditEventTypes.IngestRefused] = IncidentCategory.InterferenceWithOperations,
        [AuditEventTypes.IngestResumed] = IncidentCategory.InterferenceWithOperations,
        [AuditEventTypes.SecondFolderCopyFailed] = IncidentCategory.InterferenceWithOperations,
        [AuditEventTypes.ClockOutOfBounds] = IncidentCategory.InterferenceWithOperations,
        [AuditEventTypes.ClockCheckFailed] = IncidentCategory.InterferenceWithOperations,
        [AuditEventTypes.UserCreated] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.UserDisabled] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.PermissionGranted] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.PermissionRevoked] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.RoleAssigned] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.RoleRemoved] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.RolePermissionGranted] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.RolePermissionRevoked] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.ApiKeyCreated] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.PasswordChanged] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.PasswordReset] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.AccessChangeRequested] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.AccessChangeApproved] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.AccessChangeRefused] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.AccessBreakGlass] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.PharmacistInChargeNamed] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.TwoPersonRuleTurnedOff] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.TwoPersonRuleTurnedOn] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.AccessChangeUnapproved] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.UserEnabled] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.ClaimMappingAdded] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.ClaimMappingRemoved] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.KeyRotated] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.SenderAdded] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.SenderDisabled] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.InboundRateLimited] = IncidentCategory.InterferenceWithOperations,
        [AuditEventTypes.InboxFileRefused] = IncidentCategory.InterferenceWithOperations,
        [AuditEventTypes.TrustAdded] = IncidentCategory.AccessControlChange,
        [AuditEventTypes.TrustRemoved] = IncidentCategory.AccessControlChange,
        // 1311.215(a)(2) and (a)(5): a row changed behind the service's back is a modification of records and of what the
        // audit trail recorded of them; reported under (a)(2), its details name the table and row.
        [AuditEventTypes.CoverageMismatch] = IncidentCategory.UnauthorizedModification,
        [AuditEventTypes.ChainIntrusion] = IncidentCategory.AuditTrailInterference,
    };

    /// <summary>
    /// The event types that may be flagged (an archive verification only when it failed): a reader selects the candidates
    /// by type, then keeps those <see cref="Of"/> flags.
    /// </summary>
    public static IReadOnlyCollection<string> Types { get; } = [.. ByType.Keys, AuditEventTypes.ArchiveVerified];

    /// <summary>The category of an event, or null when it is routine. A failed archive verification is interference with records.</summary>
    public static IncidentCategory? Of(AuditEvent auditEvent) =>
        auditEvent is { Type: AuditEventTypes.ArchiveVerified, Outcome: AuditOutcome.Failure }
            ? IncidentCategory.UnauthorizedModification
            : ByType.TryGetValue(auditEvent.Type, out var category) ? category : null;

    /// <summary>A category as reports title it, with its paragraph.</summary>
    public static string Title(IncidentCategory category) => category switch
    {
        IncidentCategory.UnauthorizedAccess => "Attempted unauthorized access (1311.215(a)(1))",
        IncidentCategory.UnauthorizedModification => "Attempted unauthorized modification or destruction (1311.215(a)(2))",
        IncidentCategory.InterferenceWithOperations => "Interference with operations (1311.215(a)(3))",
        IncidentCategory.AccessControlChange => "Access-control changes (1311.215(a)(4))",
        IncidentCategory.AuditTrailInterference => "Interference with the audit trail (1311.215(a)(5))",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, null),
    };
}
