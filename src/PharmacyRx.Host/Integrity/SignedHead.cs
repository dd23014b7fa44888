namespace PharmacyRx.Host.Integrity;

/// <summary>
/// A chain head the pharmacy signed: the audit event's sequence number and hash, when, with which certificate, and by which
/// instance (<see cref="ServiceOptions.InstanceName"/>; null in heads from before instances were named, which are this
/// instance's), with the database's ledger digest taken as it was signed (SQL Server; null on SQLite), which verify passes
/// back to the engine: a digest under the pharmacy's signature, out of reach of someone with only the database. Stored as <c>heads/head-NNNNNNNNNNNN.json</c> with its signature beside it (<c>.sig</c>, the pharmacy key
/// over the JSON bytes).
/// </summary>
public sealed record SignedHead(long Sequence, string Hash, DateTimeOffset SignedAt, string SignerThumbprint, string? Instance = null, string? LedgerDigest = null);
