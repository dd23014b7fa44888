namespace PharmacyRx.Storage.Receiving;

/// <summary>
/// A gateway or intermediary allowed to submit messages (DESIGN.md, "Trust boundaries"). <see cref="FromId"/>, when
/// set, is the <c>Header/From</c> identifier its messages must carry; <see cref="ClientCertificateThumbprint"/>, when
/// set, is the SHA-256 thumbprint of the client certificate that also identifies it.
/// </summary>
public sealed record Sender(string SenderName, string? FromId, string? ClientCertificateThumbprint, string CreatedAt, string? DisabledAt)
{
    public bool IsActive => DisabledAt is null;
}
