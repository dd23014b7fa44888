namespace PharmacyRx.Host.Integrity;

/// <summary>
/// A chain head the pharmacy signed (<c>heads/head-NNNNNNNNNNNN.json</c>, its <c>.sig</c> beside it): sequence, hash,
/// time, certificate, instance (null before instances were named: this one) and, on SQL Server, the ledger digest at
/// signing, which verify hands back to the engine: under the pharmacy's signature, beyond one with only the database.
/// </summary>
public sealed record SignedHead(long Sequence, string Hash, DateTimeOffset SignedAt, string SignerThumbprint, string? Instance = null, string? LedgerDigest = null);
