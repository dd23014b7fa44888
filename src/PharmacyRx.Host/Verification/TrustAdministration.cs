using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Verification;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Verification;

namespace PharmacyRx.Host.Verification;

/// <summary>
/// Adds trusted certificates and imports CRLs for the CLI (<c>trust add</c>, <c>crl import</c>) and the console alike:
/// the certificate guarded before it is parsed, a CA required unless it is an intermediary's, and a CRL naming a
/// trusted authority required to be signed by that authority's key (a refused CRL is audited).
/// </summary>
public sealed class TrustAdministration(TrustStore trust, CrlStore crls, AuditLog audit, AlgorithmPolicy policy, TimeProvider time)
{
    /// <summary>The refusal of an end-entity certificate offered as an authority (the CLI names its --intermediary option).</summary>
    public const string NotAnAuthority = "the certificate is not a certification authority";

    /// <summary>The certificate trusted (and whether it was new), or why not.</summary>
    public sealed record TrustResult(TrustedCertificate? Trusted, bool Added, string? Refusal);

    /// <summary>The CRL stored (and whether it was new), or why not.</summary>
    public sealed record CrlResult(RevocationList? List, bool Stored, string? Refusal);

    /// <summary>The DER of a certificate file's bytes (DER, or PEM with one certificate), or null.</summary>
    public static byte[]? ReadDer(byte[] bytes)
    {
        if (bytes.Length > 0 && bytes[0] == 0x30)
        {
            return bytes;
        }
        var text = Encoding.ASCII.GetString(bytes);
        return PemEncoding.TryFind(text, out var fields) && text[fields.Label] is "CERTIFICATE"
            ? Convert.FromBase64String(text[fields.Base64Data])
            : null;
    }

    public async Task<TrustResult> TrustAsync(byte[] file, bool intermediary, string actor, CancellationToken cancellationToken)
    {
        if (ReadDer(file) is not { } der)
        {
            return new(null, false, "the file holds no certificate (PEM or DER)");
        }
        if (CertificateGuard.Refusal(der, policy) is { } refusal)
        {
            return new(null, false, $"certificate refused: {refusal}");
        }
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        var isCa = certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(e => e.CertificateAuthority);
        if (!intermediary && !isCa)
        {
            return new(null, false, NotAnAuthority);
        }
        var trusted = new TrustedCertificate(
            certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(),
            intermediary ? TrustPurpose.Intermediary : TrustPurpose.Anchor,
            certificate.Subject,
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            der);
        return new(trusted, await trust.AddAsync(trusted, actor, cancellationToken), null);
    }

    public async Task<CrlResult> ImportCrlAsync(byte[] file, string source, string actor, CancellationToken cancellationToken)
    {
        var refusal = RevocationList.TryParse(file, source, out var list, out var unreadable)
            ? TrustedIssuerRefusal(list!, await trust.ListAsync(cancellationToken))
            : unreadable;
        if (refusal is not null)
        {
            await audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.CrlRefused, actor, AuditOutcome.Failure, source, refusal)],
                cancellationToken);
            return new(null, false, refusal);
        }
        return new(list, await crls.AddAsync(list!, actor, cancellationToken), null);
    }

    /// <summary>A CRL naming a trusted authority as issuer must be signed by that authority's key.</summary>
    private static string? TrustedIssuerRefusal(RevocationList list, IReadOnlyList<TrustedCertificate> trusted)
    {
        var sameName = trusted.Where(t => list.IsIssuedBy(t.Der) is not null).ToArray();
        return sameName.Length == 0 || sameName.Any(t => list.IsIssuedBy(t.Der) is true)
            ? null
            : $"the CRL names {list.Issuer} as issuer, but that trusted authority's key does not verify its signature";
    }
}
