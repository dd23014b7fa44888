using Org.BouncyCastle.Pkix;
using Org.BouncyCastle.Security.Certificates;
using Org.BouncyCastle.Utilities.Collections;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Store;

namespace PharmacyRx.Core.Verification;

/// <summary>
/// RFC 5280 certification path validation with BouncyCastle: signatures along the chain, validity at the given
/// time, basic constraints, key usage, name chaining, and revocation against the CRLs supplied (1311.210(c)(2)).
/// Every certificate passes <see cref="CertificateGuard"/> first. Results are values.
/// </summary>
public sealed class CertificatePathValidator
{
    private readonly HashSet<TrustAnchor> _anchors;
    private readonly AlgorithmPolicy _policy;

    /// <summary>Creates a validator trusting the given anchors (DER); throws if an anchor is refused.</summary>
    public CertificatePathValidator(IEnumerable<byte[]> trustAnchors, AlgorithmPolicy policy)
    {
        _policy = policy;
        _anchors = [];
        var parser = new X509CertificateParser();
        foreach (var der in trustAnchors)
        {
            if (CertificateGuard.Refusal(der, policy) is { } refusal)
            {
                throw new ArgumentException($"trust anchor refused: {refusal}", nameof(trustAnchors));
            }
            _anchors.Add(new TrustAnchor(parser.ReadCertificate(der), null));
        }
    }

    /// <summary>
    /// Builds and validates the signer's path at a moment. <paramref name="chain"/> is the signer's certificate
    /// first, then any others that may help (issuers, CRL signers) in any order, as senders put them in X509Data;
    /// <paramref name="crls"/> must cover every certificate on the path.
    /// </summary>
    public PathValidationResult Validate(IReadOnlyList<byte[]> chain, IReadOnlyList<byte[]> crls, DateTimeOffset at)
    {
        if (crls.FirstOrDefault(crl => crl.Length > AlgorithmPolicy.MaximumCrlBytes) is { } hugeCrl)
        {
            return PathValidationResult.Invalid($"a CRL is {hugeCrl.Length} bytes; the limit is {AlgorithmPolicy.MaximumCrlBytes}");
        }
        return Run(chain, at, certificates =>
        {
            var crlParser = new X509CrlParser();
            var parameters = BuilderParameters(certificates, at, crls.Select(crlParser.ReadCrl).ToList());
            new PkixCertPathBuilder().Build(parameters);
            return SignerKeyUsage(certificates[0]);
        });
    }

    /// <summary>
    /// Builds the signer's path to an anchor at a moment, without revocation: signatures, validity, basic
    /// constraints, key usage, name chaining. The revocation check is <see cref="CheckRevocation"/>, once the
    /// CRLs for the path's issuers are known.
    /// </summary>
    public PathValidationResult Build(IReadOnlyList<byte[]> chain, DateTimeOffset at, out CertificationPath? path)
    {
        CertificationPath? built = null;
        var result = Run(chain, at, certificates =>
        {
            var parameters = BuilderParameters(certificates, at, crls: null);
            var found = new PkixCertPathBuilder().Build(parameters);
            built = new CertificationPath(found.CertPath, found.TrustAnchor.TrustedCert, certificates);
            return SignerKeyUsage(certificates[0]);
        });
        path = result.IsValid ? built : null;
        return result;
    }

    /// <summary>
    /// Checks a built path against CRLs (1311.210(c)(2)) at a moment; the CRLs' signatures, their signers' paths,
    /// scopes (issuing distribution point, indirect CRLs, reasons) and issuers are checked by BouncyCastle. A revoked certificate anywhere on the path makes the result invalid with the reason.
    /// </summary>
    public static PathValidationResult CheckRevocation(CertificationPath path, IEnumerable<RevocationList> crls, DateTimeOffset at)
    {
        var anchors = new HashSet<TrustAnchor> { new(path.Anchor, null) };
        var parameters = new PkixParameters(anchors)
        {
            IsRevocationEnabled = true,
            Date = at.UtcDateTime,
        };
        parameters.AddStoreCrl(CollectionUtilities.CreateStore(crls.Select(c => c.Crl).ToList()));
        // The CRL's signer may be a certificate sent beside the path (RFC 5280 6.3.3 (f)); BouncyCastle builds its path too.
        parameters.AddStoreCert(CollectionUtilities.CreateStore(path.Offered.Select(o => o.Certificate).ToList()));
        try
        {
            new PkixCertPathValidator().Validate(path.Path, parameters);
            return PathValidationResult.Valid;
        }
        catch (PkixCertPathValidatorException ex)
        {
            var reason = ex.GetBaseException().Message is { Length: > 0 } inner ? inner : ex.Message;
            return reason.Contains("revocation", StringComparison.OrdinalIgnoreCase)
                ? PathValidationResult.Revoked(reason)
                : PathValidationResult.Invalid(reason);
        }
    }

    private PathValidationResult Run(IReadOnlyList<byte[]> chain, DateTimeOffset at, Func<List<X509Certificate>, PathValidationResult> build)
    {
        if (chain.Count == 0)
        {
            return PathValidationResult.Invalid("no signer certificate");
        }
        if (chain.Count > AlgorithmPolicy.MaximumChainLength)
        {
            return PathValidationResult.Invalid($"{chain.Count} certificates in the chain; the limit is {AlgorithmPolicy.MaximumChainLength}");
        }
        for (var i = 0; i < chain.Count; i++)
        {
            if (CertificateGuard.Refusal(chain[i], _policy) is { } refusal)
            {
                return PathValidationResult.Invalid($"certificate {i} refused: {refusal}");
            }
        }

        try
        {
            var certificateParser = new X509CertificateParser();
            var certificates = chain.Select(certificateParser.ReadCertificate).ToList();
            if (!certificates[0].IsValid(at.UtcDateTime))
            {
                return PathValidationResult.Invalid(
                    $"the signer's certificate is not valid at {at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} (valid {certificates[0].NotBefore:yyyy-MM-dd} to {certificates[0].NotAfter:yyyy-MM-dd})");
            }
            return build(certificates);
        }
        catch (PkixCertPathBuilderException ex)
        {
            // The builder wraps the validator's precise reason; report the innermost one.
            var reason = ex.GetBaseException().Message;
            return PathValidationResult.Invalid(string.IsNullOrEmpty(reason) ? ex.Message : reason);
        }
        catch (Exception ex) when (ex is CertificateException or CrlException or ArgumentException or IOException
            or Org.BouncyCastle.Security.GeneralSecurityException)
        {
            return PathValidationResult.Invalid($"unreadable certificate or CRL: {ex.Message}");
        }
    }

    private PkixBuilderParameters BuilderParameters(List<X509Certificate> certificates, DateTimeOffset at, List<X509Crl>? crls)
    {
        var parameters = new PkixBuilderParameters(_anchors, new X509CertStoreSelector { Certificate = certificates[0] })
        {
            IsRevocationEnabled = crls is not null,
            Date = at.UtcDateTime,
            MaxPathLength = AlgorithmPolicy.MaximumChainLength,
        };
        parameters.AddStoreCert(CollectionUtilities.CreateStore(certificates));
        if (crls is not null)
        {
            parameters.AddStoreCrl(CollectionUtilities.CreateStore(crls));
        }
        return parameters;
    }

    // The signer's key must be for signing: digitalSignature (0) or nonRepudiation (1) when key usage is present.
    private static PathValidationResult SignerKeyUsage(X509Certificate signer) =>
        signer.GetKeyUsage() is { } usage && !usage[0] && !usage[1]
            ? PathValidationResult.Invalid("the signer's certificate does not allow digitalSignature or nonRepudiation")
            : PathValidationResult.Valid;
}
