using Org.BouncyCastle.Pkix;
using Org.BouncyCastle.Security.Certificates;
using Org.BouncyCastle.Utilities.Date;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Store;
using BcCollections = Org.BouncyCastle.Utilities.Collections;

namespace PharmacyRx.Core.Verification;

/// <summary>
/// RFC 5280 certification path validation with BouncyCastle: signatures along the chain, validity at the given
/// time, basic constraints, key usage, name chaining, and revocation against the CRLs supplied (1311.210(c)(2)).
/// Every certificate passes <see cref="CertificateGuard"/> first. Results are values.
/// </summary>
public sealed class CertificatePathValidator
{
    private readonly BcCollections.HashSet _anchors;
    private readonly AlgorithmPolicy _policy;

    /// <summary>Creates a validator trusting the given anchors (DER); throws if an anchor is refused.</summary>
    public CertificatePathValidator(IEnumerable<byte[]> trustAnchors, AlgorithmPolicy policy)
    {
        _policy = policy;
        _anchors = new BcCollections.HashSet();
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
        if (crls.FirstOrDefault(crl => crl.Length > AlgorithmPolicy.MaximumCrlBytes) is { } hugeCrl)
        {
            return PathValidationResult.Invalid($"a CRL is {hugeCrl.Length} bytes; the limit is {AlgorithmPolicy.MaximumCrlBytes}");
        }

        try
        {
            var certificateParser = new X509CertificateParser();
            var certificates = chain.Select(certificateParser.ReadCertificate).ToList();
            var crlParser = new X509CrlParser();
            var revocationLists = crls.Select(crlParser.ReadCrl).ToList();

            var parameters = new PkixBuilderParameters(_anchors, new X509CertStoreSelector { Certificate = certificates[0] })
            {
                IsRevocationEnabled = true,
                Date = new DateTimeObject(at.UtcDateTime),
                MaxPathLength = AlgorithmPolicy.MaximumChainLength,
            };
            parameters.AddStore(X509StoreFactory.Create("Certificate/Collection", new X509CollectionStoreParameters(certificates)));
            parameters.AddStore(X509StoreFactory.Create("CRL/Collection", new X509CollectionStoreParameters(revocationLists)));
            new PkixCertPathBuilder().Build(parameters);

            // The signer's key must be for signing: digitalSignature (0) or nonRepudiation (1) when key usage is present.
            return certificates[0].GetKeyUsage() is { } usage && !usage[0] && !usage[1]
                ? PathValidationResult.Invalid("the signer's certificate does not allow digitalSignature or nonRepudiation")
                : PathValidationResult.Valid;
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
}
