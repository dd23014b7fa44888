namespace PharmacyRx.Host.Backup;

/// <summary>
/// What a backup holds, signed with the pharmacy key beside it (<c>NAME.manifest.json</c> and <c>.manifest.sig</c>): the
/// database copy's SHA-256, size and integrity check, the key files' SHA-256, and the audit chain head at the time.
/// </summary>
public sealed record BackupManifest(
    string Database,
    string DatabaseSha256,
    long DatabaseBytes,
    string IntegrityCheck,
    IReadOnlyDictionary<string, string> KeyFiles,
    DateTimeOffset CreatedAt,
    long AuditSequence,
    string AuditHash,
    string SignerThumbprint);
