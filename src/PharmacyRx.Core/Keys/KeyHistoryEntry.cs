namespace PharmacyRx.Core.Keys;

/// <summary>
/// One pharmacy certificate in the <see cref="KeyHistory"/>: the certificate (base64 DER), its SHA-256 thumbprint, from
/// when it signs, and — for every entry but the first — the previous key's signature over
/// <see cref="KeyHistory.LinkContent"/> (base64 DER ECDSA), which is what makes a rotation the pharmacy's own.
/// </summary>
public sealed record KeyHistoryEntry(string Certificate, string Thumbprint, DateTimeOffset ValidFrom, string? SignatureByPreviousKey = null);
