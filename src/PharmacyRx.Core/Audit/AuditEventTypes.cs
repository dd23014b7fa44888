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
}
