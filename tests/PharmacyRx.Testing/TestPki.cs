using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PharmacyRx.Testing;

/// <summary>
/// A synthetic PKI made in the test: a root, an intermediate CA and practitioner certificates, with CRLs.
/// Keys are ECDSA P-256 unless a test asks otherwise. Nothing here is a real authority.
/// </summary>
public sealed class TestPki : IDisposable
{
    private readonly List<X509Certificate2> _issued = [];
    private long _serial = 1000;

    /// <param name="now">The moment certificates and CRLs are made around.</param>
    /// <param name="name">Prefix of the authorities' names, so two PKIs in one test differ.</param>
    /// <param name="crlBaseUrl">
    /// When given, the intermediate names <c>{crlBaseUrl}/root.crl</c> and practitioners <c>{crlBaseUrl}/intermediate.crl</c>
    /// as their CRL distribution point.
    /// </param>
    public TestPki(DateTimeOffset now, string name = "Synthetic", string? crlBaseUrl = null)
    {
        Now = now;
        _crlBaseUrl = crlBaseUrl;
        Root = CreateCa($"CN={name} Root CA", issuer: null);
        Intermediate = CreateCa($"CN={name} Intermediate CA", Root);
    }

    private readonly string? _crlBaseUrl;

    public DateTimeOffset Now { get; }
    public X509Certificate2 Root { get; }
    public X509Certificate2 Intermediate { get; }

    /// <summary>A practitioner's signing certificate issued by the intermediate (or another issuer).</summary>
    public X509Certificate2 IssuePractitioner(
        string commonName = "Dr Synthetic Prescriber",
        X509Certificate2? issuer = null,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null,
        X509KeyUsageFlags usage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation,
        bool rsa = false)
    {
        using AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA rsaKey
            ? new CertificateRequest($"CN={commonName}", rsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest($"CN={commonName}", (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (_crlBaseUrl is not null)
        {
            request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([$"{_crlBaseUrl}/intermediate.crl"]));
        }
        return Issue(request, issuer ?? Intermediate, notBefore ?? Now.AddDays(-30), notAfter ?? Now.AddYears(1), key);
    }

    /// <summary>
    /// A CRL from an issuer revoking the given certificates; signed by <paramref name="signer"/> if given; issued an hour
    /// before <see cref="Now"/> unless <paramref name="thisUpdate"/> says when.
    /// </summary>
    public byte[] Crl(X509Certificate2 issuer, IEnumerable<X509Certificate2> revoked, DateTimeOffset? nextUpdate = null, X509Certificate2? signer = null, long number = 1,
        DateTimeOffset? thisUpdate = null)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate, Now.AddDays(-1), X509RevocationReason.KeyCompromise);
        }
        return builder.Build(signer ?? issuer, new BigInteger(number), nextUpdate ?? Now.AddDays(7), HashAlgorithmName.SHA256, thisUpdate: thisUpdate ?? Now.AddHours(-1));
    }

    /// <summary>A certificate whose subject key is the given SubjectPublicKeyInfo, signed by the intermediate.</summary>
    public X509Certificate2 IssueWithPublicKey(byte[] subjectPublicKeyInfo, string commonName, byte[]? padding = null)
    {
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"),
            PublicKey.CreateFromSubjectPublicKeyInfo(subjectPublicKeyInfo, out _), HashAlgorithmName.SHA256);
        if (padding is not null)
        {
            request.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.55555.1", new AsnEncodedData(padding).RawData, false));
        }
        return Issue(request, Intermediate, Now.AddDays(-1), Now.AddYears(1), key: null);
    }

    /// <summary>An RSA SubjectPublicKeyInfo with a random modulus of the given size (no private key exists).</summary>
    public static byte[] RsaPublicKeyOfBits(int bits)
    {
        var modulus = RandomNumberGenerator.GetBytes(bits / 8);
        modulus[0] |= 0x80;
        modulus[^1] |= 1;
        var key = new AsnWriter(AsnEncodingRules.DER);
        using (key.PushSequence())
        {
            key.WriteIntegerUnsigned(modulus);
            key.WriteInteger(65537);
        }
        return SubjectPublicKeyInfo("1.2.840.113549.1.1.1", parameters: [0x05, 0x00], key.Encode());
    }

    /// <summary>A P-256 key written with explicit curve parameters instead of the curve's name.</summary>
    public static byte[] EcPublicKeyWithExplicitParameters()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var explicitCurve = key.ExportExplicitParameters(false);
        var point = new byte[1 + explicitCurve.Q.X!.Length * 2];
        point[0] = 0x04;
        explicitCurve.Q.X.CopyTo(point, 1);
        explicitCurve.Q.Y!.CopyTo(point, 1 + explicitCurve.Q.X.Length);
        var parameters = new AsnWriter(AsnEncodingRules.DER);
        using (parameters.PushSequence())
        {
            parameters.WriteInteger(1);
            using (parameters.PushSequence())
            {
                parameters.WriteObjectIdentifier("1.2.840.10045.1.1");
                parameters.WriteIntegerUnsigned(explicitCurve.Curve.Prime);
            }
            using (parameters.PushSequence())
            {
                parameters.WriteOctetString(explicitCurve.Curve.A);
                parameters.WriteOctetString(explicitCurve.Curve.B);
            }
            var generator = new byte[1 + explicitCurve.Curve.G.X!.Length * 2];
            generator[0] = 0x04;
            explicitCurve.Curve.G.X.CopyTo(generator, 1);
            explicitCurve.Curve.G.Y!.CopyTo(generator, 1 + explicitCurve.Curve.G.X.Length);
            parameters.WriteOctetString(generator);
            parameters.WriteIntegerUnsigned(explicitCurve.Curve.Order);
            parameters.WriteIntegerUnsigned(explicitCurve.Curve.Cofactor);
        }
        return SubjectPublicKeyInfo("1.2.840.10045.2.1", parameters.Encode(), point);
    }

    public void Dispose()
    {
        foreach (var certificate in _issued)
        {
            certificate.Dispose();
        }
    }

    private X509Certificate2 CreateCa(string subject, X509Certificate2? issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is not null && _crlBaseUrl is not null)
        {
            request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([$"{_crlBaseUrl}/root.crl"]));
        }
        if (issuer is null)
        {
            var root = request.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(10));
            _issued.Add(root);
            return root;
        }
        return Issue(request, issuer, Now.AddYears(-1), Now.AddYears(5), key);
    }

    private X509Certificate2 Issue(
        CertificateRequest request, X509Certificate2 issuer, DateTimeOffset notBefore, DateTimeOffset notAfter, AsymmetricAlgorithm? key)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        var serial = BitConverter.GetBytes(Interlocked.Increment(ref _serial));
        Array.Reverse(serial);
        using var issued = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuer.GetECDsaPrivateKey()!), notBefore, notAfter, serial);
        var certificate = key switch
        {
            null => X509CertificateLoader.LoadCertificate(issued.RawData),
            RSA rsa => issued.CopyWithPrivateKey(rsa),
            _ => issued.CopyWithPrivateKey((ECDsa)key),
        };
        _issued.Add(certificate);
        return certificate;
    }

    private static byte[] SubjectPublicKeyInfo(string algorithm, byte[] parameters, byte[] key)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(algorithm);
                writer.WriteEncodedValue(parameters);
            }
            writer.WriteBitString(key);
        }
        return writer.Encode();
    }
}
