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
    internal CertificationPath(PkixCertPath path, X509Certificate anchor)
    {
        Path = path;
        Certificates = path.Certificates.Cast<X509Certificate>().ToArray();
        Anchor = anchor;
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
                DistributionPoints(certificate)))
            .ToArray();
    }

    internal PkixCertPath Path { get; }

    internal IReadOnlyList<X509Certificate> Certificates { get; }

    internal X509Certificate Anchor { get; }

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
    private static Uri[] DistributionPoints(X509Certificate certificate)
    {
        var extension = certificate.GetExtensionValue(X509Extensions.CrlDistributionPoints);
        if (extension is null)
        {
            return [];
        }
        var points = CrlDistPoint.GetInstance(X509ExtensionUtilities.FromExtensionValue(extension)).GetDistributionPoints();
        return points
            .Where(point => point.DistributionPointName?.Type == DistributionPointName.FullName)
            .SelectMany(point => GeneralNames.GetInstance(point.DistributionPointName.Name).GetNames())
            .Where(name => name.TagNo == GeneralName.UniformResourceIdentifier)
            .Select(name => name.Name.ToString())
            .Select(text => Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null)
            .OfType<Uri>()
            .ToArray();
    }
}

/// <summary>One certificate on a path, its issuer, and where the issuer's CRL is published.</summary>
internal sealed record PathLink(
    X509Certificate Subject, X509Certificate Issuer, string IssuerName, string IssuerThumbprint, IReadOnlyList<Uri> DistributionPoints);
