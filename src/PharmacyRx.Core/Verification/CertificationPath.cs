using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Pkix;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace PharmacyRx.Core.Verification;

/// <summary>
/// A certification path built from a signer's certificate to a trust anchor, kept so that later messages from the
/// same signer are checked without BouncyCastle: the certificates (signer first, anchor excluded), the anchor, and
/// the window in which every certificate on the path is within its validity period.
/// </summary>
public sealed class CertificationPath
{
    internal CertificationPath(PkixCertPath path, X509Certificate anchor, IReadOnlyList<X509Certificate> sent)
    {
        Path = path;
        Certificates = [.. path.Certificates];
        Anchor = anchor;
        // Every certificate the sender offered, the path's and the anchor: a CRL may be signed by one of them that is not
        // on the path (a separate CRL-signing key, a self-issued key, an indirect CRL issuer; RFC 5280 6.3.3 (f)).
        Offered = sent.Concat(Certificates).Append(anchor)
            .DistinctBy(Thumbprint)
            .Select(certificate => new OfferedCertificate(certificate, Thumbprint(certificate)))
            .ToArray();
        var all = Certificates.Append(anchor).ToArray();
        ValidFrom = all.Max(c => Utc(c.NotBefore));
        ValidUntil = all.Min(c => Utc(c.NotAfter));
        SignerThumbprint = Thumbprint(Certificates[0]);
        Links = Certificates
            .Select((certificate, i) => new PathLink(
                certificate,
                i + 1 < Certificates.Count ? Certificates[i + 1] : anchor,
                certificate.IssuerDN.ToString(),
                Thumbprint(i + 1 < Certificates.Count ? Certificates[i + 1] : anchor),
                DistributionPoints(certificate),
                CrlIssuers(certificate)))
            .ToArray();
    }

    internal PkixCertPath Path { get; }

    internal IReadOnlyList<X509Certificate> Certificates { get; }

    internal X509Certificate Anchor { get; }

    /// <summary>The certificates sent with the signature, those of the path and the anchor, each with its thumbprint.</summary>
    internal IReadOnlyList<OfferedCertificate> Offered { get; }

    /// <summary>SHA-256 of the signer's certificate, lower-case hex.</summary>
    public string SignerThumbprint { get; }

    public DateTimeOffset ValidFrom { get; }

    public DateTimeOffset ValidUntil { get; }

    /// <summary>Whether every certificate on the path is within its validity period at the moment.</summary>
    public bool IsWithinValidity(DateTimeOffset at) => ValidFrom <= at && at <= ValidUntil;

    /// <summary>Each certificate on the path with its issuer (the next one up, then the anchor): one CRL is needed per link.</summary>
    internal IReadOnlyList<PathLink> Links { get; }

    internal static string Thumbprint(X509Certificate certificate) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(certificate.GetEncoded()));

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    /// <summary>The HTTP(S) URIs of the certificate's CRL distribution points (RFC 5280 4.2.1.13).</summary>
    private static Uri[] DistributionPoints(X509Certificate certificate) =>
        Points(certificate)
            .Where(point => point.DistributionPointName?.Type == DistributionPointName.FullName)
            .SelectMany(point => GeneralNames.GetInstance(point.DistributionPointName.Name).GetNames())
            .Where(name => name.TagNo == GeneralName.UniformResourceIdentifier)
            .Select(name => name.Name.ToString())
            .Select(text => Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null)
            .OfType<Uri>()
            .ToArray();

    /// <summary>The cRLIssuer names of the distribution points: who signs an indirect CRL for it (RFC 5280 4.2.1.13).</summary>
    private static X509Name[] CrlIssuers(X509Certificate certificate) =>
        Points(certificate)
            .Where(point => point.CrlIssuer is not null)
            .SelectMany(point => point.CrlIssuer.GetNames())
            .Where(name => name.TagNo == GeneralName.DirectoryName)
            .Select(name => X509Name.GetInstance(name.Name))
            .ToArray();

    private static DistributionPoint[] Points(X509Certificate certificate) =>
        certificate.GetExtensionValue(X509Extensions.CrlDistributionPoints) is { } extension
            ? CrlDistPoint.GetInstance(X509ExtensionUtilities.FromExtensionValue(extension)).GetDistributionPoints()
            : [];
}

/// <summary>One certificate on a path, its issuer, where its CRL is published and who else may sign it (cRLIssuer).</summary>
internal sealed record PathLink(
    X509Certificate Subject, X509Certificate Issuer, string IssuerName, string IssuerThumbprint, IReadOnlyList<Uri> DistributionPoints,
    IReadOnlyList<X509Name> CrlIssuers);

/// <summary>A certificate that may have signed a CRL, with its SHA-256 thumbprint.</summary>
internal sealed record OfferedCertificate(X509Certificate Certificate, string Thumbprint);
