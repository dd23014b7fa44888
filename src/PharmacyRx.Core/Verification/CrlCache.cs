using System.Collections.Concurrent;
using Org.BouncyCastle.X509;

namespace PharmacyRx.Core.Verification;

/// <summary>
/// The CRLs the service holds in memory, by issuer name: imported, read from the CRL folder, or fetched from
/// distribution points. A CRL is used for an issuer only when its signature verifies with that issuer's key (checked
/// once per CRL and issuer) and it is current; the newest such CRL wins.
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
    /// For a trusted certificate (its DER): the newest CRL it issued that is current at <paramref name="at"/> and verifies
    /// with its key (1311.210(c)(2)), by the same rule a prescription's path is checked with; otherwise null and why.
    /// </summary>
    public RevocationList? CurrentFrom(byte[] issuerDer, DateTimeOffset at, out string reason)
    {
        var issuer = new X509CertificateParser().ReadCertificate(issuerDer);
        return Current(issuer, issuer.SubjectDN.ToString(), CertificationPath.Thumbprint(issuer), at, out reason);
    }

    /// <summary>
    /// The newest CRL from <paramref name="issuer"/> that is current at <paramref name="at"/> and verifies with the
    /// issuer's key; otherwise null and why.
    /// </summary>
    internal RevocationList? Current(X509Certificate issuer, string issuerName, string issuerThumbprint, DateTimeOffset at, out string reason)
    {
        reason = "";
        if (!_byIssuer.TryGetValue(issuerName, out var lists))
        {
            reason = $"no CRL from {issuerName} is held";
            return null;
        }
        RevocationList? newestSigned = null;
        foreach (var list in lists)
        {
            if (!_signedBy.GetOrAdd((list.Sha256, issuerThumbprint), _ => list.IsSignedBy(issuer)))
            {
                continue;
            }
            if (list.IsCurrentAt(at))
            {
                return list;
            }
            newestSigned ??= list;
        }
        reason = newestSigned is { } stale
            ? $"the newest CRL from {issuerName} is not current (thisUpdate {stale.ThisUpdate:yyyy-MM-ddTHH:mm:ssZ}, nextUpdate {stale.NextUpdate:yyyy-MM-ddTHH:mm:ssZ})"
            : $"no CRL held for {issuerName} verifies with that issuer's key";
        return null;
    }
}
