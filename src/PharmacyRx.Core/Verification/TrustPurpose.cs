namespace PharmacyRx.Core.Verification;

/// <summary>What pharmacy IT trusts a certificate for.</summary>
public enum TrustPurpose
{
    /// <summary>A certification authority practitioners' certificates chain to (e.g. a Federal Bridge cross-certified CA).</summary>
    Anchor,

    /// <summary>
    /// An intermediary's signing certificate (1311.210(a)(1)): records it signs are <c>IntermediarySigned</c>. It must
    /// itself chain to an anchor and is checked against CRLs like a practitioner's.
    /// </summary>
    Intermediary,
}
