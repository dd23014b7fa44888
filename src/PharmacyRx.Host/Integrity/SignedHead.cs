namespace PharmacyRx.Host.Integrity;

/// <summary>
/// A chain head the pharmacy signed: the audit event's sequence number and hash, when, and with which certificate. Stored as
/// <c>heads/head-NNNNNNNNNNNN.json</c> with its signature beside it (<c>.sig</c>, the pharmacy key over the JSON bytes).
/// </summary>
public sealed record SignedHead(long Sequence, string Hash, DateTimeOffset SignedAt, string SignerThumbprint);
