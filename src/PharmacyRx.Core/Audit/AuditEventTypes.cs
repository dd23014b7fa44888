namespace PharmacyRx.Core.Audit;

/// <summary>Audit event type names; stored as text, so they never change once released.</summary>
public static class AuditEventTypes
{
    public const string Initialized = "SystemInitialized";
    public const string UserCreated = "UserCreated";
    public const string PrescriptionReceived = "PrescriptionReceived";
    public const string DuplicateReceived = "DuplicateReceived";
    public const string PrescriptionCancelled = "PrescriptionCancelled";
    public const string ArchiveVerified = "ArchiveVerified";
    public const string TrustAdded = "TrustAdded";
    public const string TrustRemoved = "TrustRemoved";
    public const string CrlStored = "CrlStored";
    public const string CrlFetchFailed = "CrlFetchFailed";
    public const string CrlRefused = "CrlRefused";
    public const string VerificationStatusChanged = "VerificationStatusChanged";
    public const string UserDisabled = "UserDisabled";
    public const string PermissionGranted = "PermissionGranted";
    public const string PermissionRevoked = "PermissionRevoked";
    public const string RoleAssigned = "RoleAssigned";
    public const string RoleRemoved = "RoleRemoved";
    public const string RolePermissionGranted = "RolePermissionGranted";
    public const string RolePermissionRevoked = "RolePermissionRevoked";
    public const string ApiKeyCreated = "ApiKeyCreated";
    public const string LoginSucceeded = "LoginSucceeded";
    public const string LoginFailed = "LoginFailed";
    public const string LoginThrottled = "LoginThrottled";
    public const string LoggedOut = "LoggedOut";
    public const string SessionLocked = "SessionLocked";
    public const string SessionUnlocked = "SessionUnlocked";
    public const string PasswordChanged = "PasswordChanged";

    /// <summary>1311.215(a)(3): the clock is more than five minutes off NIST time (1311.205(b)(4)(v)).</summary>
    public const string ClockOutOfBounds = "ClockOutOfBounds";

    /// <summary>1311.215(a)(3): the clock could not be checked.</summary>
    public const string ClockCheckFailed = "ClockCheckFailed";

    /// <summary>1311.215(a)(1): a function refused for lack of a permission, with actor and function.</summary>
    public const string UnauthorizedAccessAttempt = "UnauthorizedAccessAttempt";

    /// <summary>1311.215(a)(2): an attempt to change what may not be changed (one's own permissions, say).</summary>
    public const string UnauthorizedModificationAttempt = "UnauthorizedModificationAttempt";

    public const string AnnotationAdded = "AnnotationAdded";
    public const string RecordsExported = "RecordsExported";

    /// <summary>An inspector's export (1304.04(h)(5)): who, the format, sort and filter, and how many rows.</summary>
    public const string PrescriptionsExported = "PrescriptionsExported";
    public const string BackupCompleted = "BackupCompleted";

    /// <summary>1311.215(a)(3): a backup that failed; an incident in the daily report.</summary>
    public const string BackupFailed = "BackupFailed";

    /// <summary>1311.215(a)(3): messages are refused for a storage fault (disk full, I/O error); when it started and why.</summary>
    public const string IngestRefused = "IngestRefused";

    /// <summary>1311.215(a)(3): messages are accepted again; the details name the whole period they were refused.</summary>
    public const string IngestResumed = "IngestResumed";

    /// <summary>1311.215(a)(3): a copy to Backup:SecondFolder (a backup or a signed chain head) could not be written; retried.</summary>
    public const string SecondFolderCopyFailed = "SecondFolderCopyFailed";

    public const string BackupRestored = "BackupRestored";
    public const string AuditReportWritten = "AuditReportWritten";
    public const string PrescriptionDispensed = "PrescriptionDispensed";
    public const string DispensingRefused = "DispensingRefused";

    // Keys
    /// <summary>The pharmacy signing key was replaced; the new certificate is in the key history, signed by the old key.</summary>
    public const string KeyRotated = "KeyRotated";

    // Access control

    /// <summary>1311.215(a)(4): an administrator set a new one-time password for a user.</summary>
    public const string PasswordReset = "PasswordReset";

    /// <summary>
    /// 1311.215(a)(4): a change that lets someone act as a dispenser (an account holding Dispense, Annotate, Alter, Delete
    /// or ManageAccess, a grant of one, a reset of such an account's password) asked for; it waits for a second person.
    /// The details carry the request whole: the approval reads it from here, under the chain's MAC.
    /// </summary>
    public const string AccessChangeRequested = "AccessChangeRequested";

    /// <summary>1311.215(a)(4): a requested access change approved by a second person with ManageAccess, and made.</summary>
    public const string AccessChangeApproved = "AccessChangeApproved";

    /// <summary>1311.215(a)(4): a requested access change refused by a second person, or withdrawn.</summary>
    public const string AccessChangeRefused = "AccessChangeRefused";

    /// <summary>1311.215(a)(4): an access change made on the host with the key password, past the two-person rule (break-glass).</summary>
    public const string AccessBreakGlass = "AccessBreakGlass";

    /// <summary>
    /// 1311.215(a)(4): the pharmacy named its pharmacist-in-charge (the target names them; empty: none), whose approval a
    /// grant of Dispense then needs. Only an event under the chain's MAC counts.
    /// </summary>
    public const string PharmacistInChargeNamed = "PharmacistInChargeNamed";

    /// <summary>1311.215(a)(4): the two-person rule turned off, approved by a second person; access changes are then made at once.</summary>
    public const string TwoPersonRuleTurnedOff = "TwoPersonRuleTurnedOff";

    /// <summary>1311.215(a)(4): the two-person rule turned on again.</summary>
    public const string TwoPersonRuleTurnedOn = "TwoPersonRuleTurnedOn";

    /// <summary>1311.215(a)(4): an access change the two-person rule would hold, made at once while the rule is off: review it.</summary>
    public const string AccessChangeUnapproved = "AccessChangeUnapproved";

    /// <summary>1311.215(a)(4): a disabled user was enabled again.</summary>
    public const string UserEnabled = "UserEnabled";

    /// <summary>1311.215(a)(4): an identity provider's group or app-role value now gives a PharmacyRx role.</summary>
    public const string ClaimMappingAdded = "ClaimMappingAdded";

    /// <summary>1311.215(a)(4): an identity provider's group or app-role value no longer gives a PharmacyRx role.</summary>
    public const string ClaimMappingRemoved = "ClaimMappingRemoved";

    // Coverage and signed chain heads

    /// <summary>The hashes of one table's rows written in a transaction (row key and row hash), so verify can recompute them.</summary>
    public const string RowsCovered = "RowsCovered";

    /// <summary>1311.215(a)(2), (a)(5): a covered table no longer matches what the audit chain last recorded of it.</summary>
    public const string CoverageMismatch = "CoverageMismatch";

    /// <summary>The pharmacy signed the chain head (sequence and hash in the details); the head file is in <c>heads/</c>.</summary>
    public const string ChainHeadSigned = "ChainHeadSigned";

    // Senders and the doors

    /// <summary>1311.215(a)(4): a sender was given a credential to submit messages.</summary>
    public const string SenderAdded = "SenderAdded";

    /// <summary>1311.215(a)(4): a sender's credential stopped working.</summary>
    public const string SenderDisabled = "SenderDisabled";

    /// <summary>1311.215(a)(4): a disabled sender's credential works again.</summary>
    public const string SenderEnabled = "SenderEnabled";

    /// <summary>1311.215(a)(3): a sender or address was slowed down (HTTP 429); once per window per sender or address.</summary>
    public const string InboundRateLimited = "InboundRateLimited";

    /// <summary>1311.215(a)(3): a file in the inbox that is not a regular file of the service user was moved aside unread.</summary>
    public const string InboxFileRefused = "InboxFileRefused";

    // SQL Server coverage

    /// <summary>
    /// 1311.215(a)(2): the service wrote the triggers that mark covered rows on SQL Server (each trigger's SHA-256 in the
    /// details), so a later text of its own (an upgrade) is told from one written behind its back.
    /// </summary>
    public const string CoverageTriggersWritten = "CoverageTriggersWritten";

    // The keyed chain

    /// <summary>
    /// 1311.205(b)(16): from this event on every event carries a MAC under the chain key (named in the target); the events
    /// before it are hash-chained only.
    /// </summary>
    public const string ChainKeyed = "ChainKeyed";

    /// <summary>
    /// 1311.215(a)(5): events the service did not write (their MAC does not hold) were found in the chain; the details name
    /// their sequence numbers. The service's own events link past them and no head is signed over them.
    /// </summary>
    public const string ChainIntrusion = "ChainIntrusion";

    // Security incidents

    /// <summary>
    /// 1311.215(c): a person decided whether flagged auditable events (their sequences in the details) are a security
    /// incident; the decision, reason and what was done are rows of <c>incident_decisions</c>.
    /// </summary>
    public const string IncidentDecided = "IncidentDecided";

    /// <summary>1311.215(c): an incident's report was sent (to whom and when in the details).</summary>
    public const string IncidentReported = "IncidentReported";
}
