namespace PharmacyRx.Host.Compliance;

/// <summary>The checks made on the installation at the moment the compliance report is asked for.</summary>
public enum LiveCheck
{
    /// <summary>The pharmacy key is stored encrypted and its password is not in configuration (1311.205(b)(4)(iii)).</summary>
    KeyProtection,

    /// <summary>The clock was within five minutes of NIST time at the last check (1311.205(b)(4)(v)).</summary>
    Clock,

    /// <summary>A verified backup within 26 hours and one for each of the last 35 days (1311.205(b)(17)).</summary>
    Backups,

    /// <summary>A second backup folder is set, outside the data folder.</summary>
    SecondFolder,

    /// <summary>The audit report of yesterday is written (1311.215(b)).</summary>
    AuditReport,

    /// <summary>The audit trail's chain is unbroken and its heads are signed (1311.205(b)(16), 1311.215(a)(5)).</summary>
    SignedChain,

    /// <summary>Trust anchors are configured (1311.210(c)).</summary>
    TrustAnchors,

    /// <summary>Every trusted issuer has a current CRL (1311.210(c)(2)).</summary>
    CurrentCrls,

    /// <summary>No record waits for its revocation check longer than a day.</summary>
    PendingRecords,

    /// <summary>Every user has a name; someone can set access controls; nobody holds every permission (1311.205(b)(1)-(2)).</summary>
    Users,

    /// <summary>The oldest record kept is two years old, or every record since installation is kept (1311.205(b)(18), 1311.305).</summary>
    Retention,

    /// <summary>Files in the data folder are the service user's alone.</summary>
    FileModes,

    /// <summary>The pin of the key history is stored outside the data folder.</summary>
    PinOutside,

    /// <summary>Every flagged event decided within a day; every incident reported within one business day (1311.215(c)).</summary>
    SecurityIncidents,

    /// <summary>Ingest is not refused now, and the periods it was in the last 30 days are named (1311.215(a)(3)).</summary>
    IngestRefusals,
}
