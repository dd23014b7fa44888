using System.Collections.Concurrent;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace PharmacyRx.Core.Verification;

/// <summary>
/// The CRLs the service holds in memory, by issuer name: imported, read from the CRL folder, or fetched from
/// distribution points. A CRL is offered for a certificate only when it is current and its signature verifies with a
/// certificate of the path or one sent with it (checked once per CRL and certificate); see <see cref="Candidates"/>.
/// </summary>
public sealed class CrlCache
{
    private readonly ConcurrentDictionary<string, RevocationList[]> _byIssuer = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Crl, string Issuer), bool> _signedBy = new();

    private long _version;

    /// <summary>Grows each time a CRL not held before is added.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Adds a CRL; returns false when the same CRL (by SHA-256) is already held.</summary>
    public bool Add(RevocationList list)
    {
        var added = false;
        _byIssuer.AddOrUpdate(
            list.Issuer,
            _ =>
            {
                added = true;
                return [list];
            },
            (_, lists) =>
            {
                if (lists.Any(l => l.Sha256 == list.Sha256))
                {
                    added = false;
                    return lists;
                }
                added = true;
                // Newest first; older ones are kept in the database, not here.
                return [.. lists.Append(list).OrderByDescending(l => l.ThisUpdate).Take(4)];
            });
        if (added)
        {
            Interlocked.Increment(ref _version);
        }
        return added;
    }

    /// <summary>Every CRL held, newest first per issuer.</summary>
    public IEnumerable<RevocationList> All => _byIssuer.Values.SelectMany(lists => lists);

    /// <summary>
    /// The CRLs that may speak for a certificate on a path (1311.210(c)(2)), current at <paramref name="at"/>: every
    /// one from its issuer's name or from a cRLIssuer of its distribution points (an indirect CRL), names compared as
    /// RFC 5280 7.1 compares them, whose signature a certificate of the path (or one sent with it) verifies. All of them,
    /// not only the newest: a CRL may cover one distribution point or some reasons only. Their scope, their signer's path
    /// and the certificate's status are then <see cref="CertificatePathValidator.CheckRevocation"/>'s. None: why.
    /// </summary>
    internal IReadOnlyList<RevocationList> Candidates(CertificationPath path, PathLink link, DateTimeOffset at, out string reason) =>
        CurrentSignedBy(
            Held(link.Subject.IssuerDN, link.IssuerName).Concat(link.CrlIssuers.SelectMany(name => Held(name, name.ToString()))),
            link.IssuerName, path.Offered, at, out reason);

    /// <summary>
    /// For a trusted certificate (its DER): the CRLs it issued that are current at <paramref name="at"/> and verify with
    /// its key (1311.210(c)(2)), by the same rule a prescription's path is checked with; none: why.
    /// </summary>
    public IReadOnlyList<RevocationList> CurrentFrom(byte[] issuerDer, DateTimeOffset at, out string reason)
    {
        var issuer = new X509CertificateParser().ReadCertificate(issuerDer);
        var name = issuer.SubjectDN.ToString();
        return CurrentSignedBy(Held(issuer.SubjectDN, name), name, [new OfferedCertificate(issuer, CertificationPath.Thumbprint(issuer))], at, out reason);
    }

    private RevocationList[] CurrentSignedBy(
        IEnumerable<RevocationList> lists, string issuerName, IReadOnlyList<OfferedCertificate> signers, DateTimeOffset at, out string reason)
    {
        reason = "";
        var found = new List<RevocationList>();
        RevocationList? newestSigned = null;
        var held = false;
        foreach (var list in lists)
        {
            held = true;
            if (!signers.Any(signer => _signedBy.GetOrAdd((list.Sha256, signer.Thumbprint), _ => list.IsSignedBy(signer.Certificate))))
            {
                continue;
            }
            if (list.IsCurrentAt(at))
            {
                found.Add(list);
            }
            else if (newestSigned is null || list.ThisUpdate > newestSigned.ThisUpdate)
            {
                newestSigned = list;
            }
        }
        if (found.Count > 0)
        {
            return found.DistinctBy(list => list.Sha256).ToArray();
        }
        reason = !held
            ? $"no CRL from {issuerName} is held"
            : newestSigned is { } stale
                ? $"the newest CRL from {issuerName} is not current (thisUpdate {stale.ThisUpdate:yyyy-MM-ddTHH:mm:ssZ}, nextUpdate {stale.NextUpdate:yyyy-MM-ddTHH:mm:ssZ})"
                : $"no CRL held for {issuerName} verifies with that issuer's key";
        return [];
    }

    // By the name as printed first (the usual case, one lookup); else by RFC 5280 name comparison (case, spaces).
    private IEnumerable<RevocationList> Held(X509Name name, string printed) =>
        _byIssuer.TryGetValue(printed, out var lists)
            ? lists
            : _byIssuer.Values.SelectMany(l => l).Where(list => list.Crl.IssuerDN.Equivalent(name));
}
