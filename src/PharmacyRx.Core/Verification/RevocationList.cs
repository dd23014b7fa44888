using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace PharmacyRx.Core.Verification;

/// <summary>
/// A certificate revocation list as parsed once (1311.210(c)(2)): its issuer, number, thisUpdate, nextUpdate, where
/// it came from, and the DER. Parsing is size-capped before BouncyCastle sees the bytes.
/// </summary>
public sealed class RevocationList
{
    private RevocationList(X509Crl crl, byte[] der, string source)
    {
        Crl = crl;
        Der = der;
        Source = source;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(der));
        Issuer = crl.IssuerDN.ToString();
        ThisUpdate = new DateTimeOffset(DateTime.SpecifyKind(crl.ThisUpdate, DateTimeKind.Utc));
        NextUpdate = crl.NextUpdate is { } next ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)) : null;
        Number = CrlNumber(crl);
    }

    internal X509Crl Crl { get; }

    public byte[] Der { get; }

    /// <summary>Where the CRL came from: <c>import:FILE</c>, <c>folder:FILE</c> or the distribution point URL.</summary>
    public string Source { get; }

    public string Sha256 { get; }

    /// <summary>The issuer's distinguished name as BouncyCastle prints it (the same form as certificate names).</summary>
    public string Issuer { get; }

    /// <summary>The name a CRL issued by this certificate carries as its <see cref="Issuer"/>, written the same way.</summary>
    public static string IssuerNameOf(byte[] certificateDer) => new X509CertificateParser().ReadCertificate(certificateDer).SubjectDN.ToString();

    /// <summary>The cRLNumber extension in decimal, or empty when the CRL has none.</summary>
    public string Number { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    /// <summary>Whether the CRL is current at a moment: issued by then and not past its nextUpdate (none means not current).</summary>
    public bool IsCurrentAt(DateTimeOffset at) => NextUpdate is { } next && at < next && ThisUpdate <= at.AddMinutes(5);

    /// <summary>Reads a DER or PEM CRL, or says why it cannot be read.</summary>
    public static bool TryParse(byte[] bytes, string source, out RevocationList? list, out string reason)
    {
        list = null;
        if (bytes.Length > AlgorithmPolicy.MaximumCrlBytes)
        {
            reason = $"the CRL is {bytes.Length} bytes; the limit is {AlgorithmPolicy.MaximumCrlBytes}";
            return false;
        }
        var der = PemToDer(bytes);
        if (der.Length == 0 || der[0] != 0x30)
        {
            reason = "not a DER or PEM X.509 CRL";
            return false;
        }
        try
        {
            var crl = new X509CrlParser().ReadCrl(der);
            if (crl is null)
            {
                reason = "not a DER or PEM X.509 CRL";
                return false;
            }
            list = new RevocationList(crl, der, source);
            reason = "";
            return true;
        }
        catch (Exception ex) when (ex is Org.BouncyCastle.Security.Certificates.CrlException or IOException or ArgumentException
            or InvalidCastException or Org.BouncyCastle.Security.GeneralSecurityException)
        {
            reason = $"unreadable CRL: {ex.Message}";
            return false;
        }
    }

    /// <summary>Whether this CRL was issued by <paramref name="issuer"/>: same name and a signature its key verifies.</summary>
    internal bool IsSignedBy(X509Certificate issuer)
    {
        if (!Crl.IssuerDN.Equivalent(issuer.SubjectDN))
        {
            return false;
        }
        try
        {
            Crl.Verify(issuer.GetPublicKey());
            return true;
        }
        catch (Exception ex) when (ex is Org.BouncyCastle.Security.GeneralSecurityException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether a certificate (DER) issued this CRL: null when the certificate's subject is not the CRL's issuer, else
    /// whether its key verifies the CRL's signature. The certificate must have passed <see cref="CertificateGuard"/>.
    /// </summary>
    public bool? IsIssuedBy(byte[] certificateDer)
    {
        var certificate = new X509CertificateParser().ReadCertificate(certificateDer);
        return Crl.IssuerDN.Equivalent(certificate.SubjectDN) ? IsSignedBy(certificate) : null;
    }

    private static byte[] PemToDer(byte[] bytes)
    {
        if (bytes.Length > 0 && bytes[0] == 0x30)
        {
            return bytes;
        }
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        return PemEncoding.TryFind(text, out var fields) && text[fields.Label] == "X509 CRL"
            ? Convert.FromBase64String(text[fields.Base64Data])
            : [];
    }

    private static string CrlNumber(X509Crl crl)
    {
        var extension = crl.GetExtensionValue(X509Extensions.CrlNumber);
        return extension is null ? "" : DerInteger.GetInstance(X509ExtensionUtilities.FromExtensionValue(extension)).Value.ToString();
    }
}
