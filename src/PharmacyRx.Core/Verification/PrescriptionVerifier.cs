using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Core.Verification;

/// <summary>
/// Verifies a practitioner's or intermediary's signature on receipt (1311.210(c), (a)(1)): the signature, the path to
/// the anchors at signing and at receipt, then every certificate on it against a current CRL (held or fetched). No
/// current CRL → <see cref="PrescriptionStatus.PendingRevocationCheck"/>, never accepted.
/// </summary>
public sealed class PrescriptionVerifier(ICrlFetcher fetcher, CrlCache crls, AlgorithmPolicy policy)
{
    private const int MaximumCachedPaths = 10_000;

    private readonly MessageSignatureVerifier _signatures = new(policy);
    // Warm path: keys parsed once per certificate, paths built once per chain, revocation kept per (chain, CRLs used),
    // so BouncyCastle does not run per message. The caches belong to one trust configuration and are dropped with it.
    private TrustState _trust = TrustState.Create([], policy);
    private long _pathBuilds;
    private long _revocationChecks;

    /// <summary>How many times a certification path was built with BouncyCastle (once per chain on a warm cache).</summary>
    public long PathBuilds => Interlocked.Read(ref _pathBuilds);

    /// <summary>How many times a path was checked against CRLs with BouncyCastle (once per chain and CRL set on a warm cache).</summary>
    public long RevocationChecks => Interlocked.Read(ref _revocationChecks);

    /// <summary>The configured trust, as last applied.</summary>
    public IReadOnlyCollection<TrustedCertificate> Trusted => Volatile.Read(ref _trust).Trusted;

    /// <summary>Applies a trust configuration; a changed one replaces the cached paths and results.</summary>
    public void UseTrust(IReadOnlyCollection<TrustedCertificate> trusted)
    {
        var next = TrustState.Create(trusted, policy);
        if (next.Version != Volatile.Read(ref _trust).Version)
        {
            Volatile.Write(ref _trust, next);
        }
    }

    /// <summary>
    /// Verifies a signature block received at <paramref name="receivedAt"/>. On a re-check of a pending record
    /// (<paramref name="recheck"/>), CRLs must be current now, and revocation is judged as of the receipt.
    /// </summary>
    public async ValueTask<VerificationVerdict> VerifyAsync(
        SignatureBlock block, ReadOnlyMemory<byte> canonicalElements, string sentTime, DateTimeOffset receivedAt, DateTimeOffset now,
        bool recheck, CancellationToken cancellationToken)
    {
        var signature = _signatures.Verify(block, canonicalElements.Span);
        switch (signature.Outcome)
        {
            case SignatureOutcome.ContentAltered:
                return VerificationVerdict.Invalid(VerificationVerdict.ContentAltered, signature.Reason);
            case SignatureOutcome.SignatureInvalid:
                return VerificationVerdict.Invalid(VerificationVerdict.SignatureInvalid, signature.Reason);
            case SignatureOutcome.Refused:
                return VerificationVerdict.Invalid(VerificationVerdict.AlgorithmRefused, signature.Reason);
            case SignatureOutcome.Malformed:
                return VerificationVerdict.Invalid(VerificationVerdict.SignatureMalformed, signature.Reason);
        }

        var trust = Volatile.Read(ref _trust);
        if (trust.Validator is null)
        {
            return VerificationVerdict.Invalid(VerificationVerdict.CertificatePathInvalid,
                "no trusted certification authority is configured (pharmacy IT: pharmacyrx trust add FILE.crt)");
        }
        var chainKey = string.Join('\n', block.Certificates);
        if (!trust.Paths.TryGetValue(chainKey, out var path) || !path.IsWithinValidity(receivedAt))
        {
            Interlocked.Increment(ref _pathBuilds);
            if (BuildPath(trust.Validator, block.Certificates, receivedAt, out path) is { } failure)
            {
                return failure;
            }
            if (trust.Paths.Count >= MaximumCachedPaths)
            {
                trust.Paths.Clear();
            }
            trust.Paths[chainKey] = path;
        }
        var signingTime = SigningTime(sentTime, receivedAt);
        if (!path.IsWithinValidity(signingTime))
        {
            return VerificationVerdict.Invalid(VerificationVerdict.CertificateNotValidAtSigning,
                $"a certificate on the path was not valid at signing time {signingTime:yyyy-MM-ddTHH:mm:ssZ} (the path is valid from {path.ValidFrom:yyyy-MM-dd} to {path.ValidUntil:yyyy-MM-dd})");
        }

        // 1311.210(c)(2): each certificate on the path against a current CRL from its issuer.
        var lists = new List<RevocationList>();
        foreach (var link in path.Links)
        {
            if (crls.Candidates(path, link, now, out _) is { Count: > 0 } held)
            {
                lists.AddRange(held);
                continue;
            }
            var fetched = link.DistributionPoints.Count == 0
                ? CrlFetchResult.Failed("the certificate names no HTTP CRL distribution point")
                : await fetcher.FetchAsync(link.DistributionPoints, cancellationToken);
            if (fetched.List is { } list)
            {
                crls.Add(list);
            }
            if (crls.Candidates(path, link, now, out var stillMissing) is not { Count: > 0 } current)
            {
                return VerificationVerdict.Pending($"{stillMissing}; {fetched.Reason}".TrimEnd(' ', ';'));
            }
            lists.AddRange(current);
        }

        var revocationKey = chainKey + "\n" + string.Join(',', lists.Select(l => l.Sha256));
        PathValidationResult revocation;
        if (recheck)
        {
            Interlocked.Increment(ref _revocationChecks);
            revocation = CertificatePathValidator.CheckRevocation(path, lists, receivedAt);
        }
        else if (!trust.Revocations.TryGetValue(revocationKey, out revocation!))
        {
            Interlocked.Increment(ref _revocationChecks);
            revocation = CertificatePathValidator.CheckRevocation(path, lists, now);
            if (trust.Revocations.Count >= MaximumCachedPaths)
            {
                trust.Revocations.Clear();
            }
            trust.Revocations[revocationKey] = revocation;
        }
        if (!revocation.IsValid)
        {
            return VerificationVerdict.Invalid(
                revocation.IsRevoked ? VerificationVerdict.CertificateRevoked : VerificationVerdict.CertificatePathInvalid,
                $"certificate checked against its issuer's CRL: {revocation.Reason}");
        }

        var status = trust.Intermediaries.Contains(path.SignerThumbprint) ? PrescriptionStatus.IntermediarySigned : PrescriptionStatus.VerifiedOnReceipt;
        return signature.DigestAlgorithm == "SHA1"
            ? new VerificationVerdict(status, VerificationVerdict.LegacySha1Allowed, "verified with a SHA-1 digest, allowed by the AllowSha1 setting for a legacy sender")
            : new VerificationVerdict(status, "", "");
    }

    private static VerificationVerdict? BuildPath(
        CertificatePathValidator validator, IReadOnlyList<string> certificates, DateTimeOffset at, out CertificationPath path)
    {
        path = null!;
        byte[][] chain;
        try
        {
            chain = certificates.Select(Convert.FromBase64String).ToArray();
        }
        catch (FormatException)
        {
            return VerificationVerdict.Invalid(VerificationVerdict.SignatureMalformed, "an X509Certificate is not base64");
        }
        var built = validator.Build(chain, at, out var found);
        if (!built.IsValid || found is null)
        {
            return VerificationVerdict.Invalid(VerificationVerdict.CertificatePathInvalid, $"certification path not valid at receipt: {built.Reason}");
        }
        path = found;
        return null;
    }

    /// <summary>The sender's SentTime when it reads as a time no later than receipt; otherwise the receipt time.</summary>
    private static DateTimeOffset SigningTime(string sentTime, DateTimeOffset receivedAt) =>
        DateTimeOffset.TryParse(sentTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sent) && sent <= receivedAt
            ? sent
            : receivedAt;

    /// <summary>One trust configuration with the caches that are only valid under it.</summary>
    private sealed class TrustState
    {
        public required IReadOnlyCollection<TrustedCertificate> Trusted { get; init; }
        public required string Version { get; init; }
        public required CertificatePathValidator? Validator { get; init; }
        public required HashSet<string> Intermediaries { get; init; }
        public ConcurrentDictionary<string, CertificationPath> Paths { get; } = new(StringComparer.Ordinal);
        public ConcurrentDictionary<string, PathValidationResult> Revocations { get; } = new(StringComparer.Ordinal);

        public static TrustState Create(IReadOnlyCollection<TrustedCertificate> trusted, AlgorithmPolicy policy)
        {
            // Anchors were guarded when added; one refused now (a stricter policy) is left out rather than trusted.
            var anchors = trusted
                .Where(t => t.Purpose == TrustPurpose.Anchor && CertificateGuard.Refusal(t.Der, policy) is null)
                .Select(t => t.Der)
                .ToArray();
            return new TrustState
            {
                Trusted = trusted,
                Version = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
                    string.Join(';', trusted.OrderBy(t => t.Thumbprint, StringComparer.Ordinal).Select(t => $"{t.Thumbprint}:{t.Purpose}"))))),
                Validator = anchors.Length == 0 ? null : new CertificatePathValidator(anchors, policy),
                Intermediaries = trusted.Where(t => t.Purpose == TrustPurpose.Intermediary).Select(t => t.Thumbprint).ToHashSet(StringComparer.Ordinal),
            };
        }
    }
}
