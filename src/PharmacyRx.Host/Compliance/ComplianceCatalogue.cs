namespace PharmacyRx.Host.Compliance;

/// <summary>
/// The paragraphs the compliance report answers for, each with a title, what the service does for it, and the live checks
/// that are its evidence. A test proves a paragraph by carrying <c>[Property("Rule", "PARAGRAPH")]</c>; a test in the
/// suite fails when a paragraph here has none.
/// </summary>
public static class ComplianceCatalogue
{
    /// <summary>One paragraph: its number as the regulation writes it, a short title, the service's answer, its live checks.</summary>
    public sealed record Entry(string Paragraph, string Title, string Service, IReadOnlyList<LiveCheck> Checks);

    /// <summary>The name of the NUnit property that ties a test to a paragraph.</summary>
    public const string RuleProperty = "Rule";

    /// <summary>1311.205(b)(1)-(18), 1311.210(a)-(c), 1311.215(a)-(c), 1311.305 and 1304.04(h)(5), in that order.</summary>
    public static IReadOnlyList<Entry> Entries { get; } =
    [
        new("1311.205(b)(1)", "Logical access controls limit annotation, alteration, deletion and setting access controls",
            "Every function is behind a permission (Annotate, AlterPrescription, DeletePrescription, ManageAccess and others); a refusal is answered 403 and audited.",
            [LiveCheck.Users, LiveCheck.FileModes]),
        new("1311.205(b)(2)", "Access controls set by individual user name or role",
            "Permissions are granted to a named user directly or through a role; nobody may grant themselves a permission, directly or through an account they made.",
            [LiveCheck.Users]),
        new("1311.205(b)(3)", "Sign and archive on receipt",
            "Every message received is archived with its exact bytes; the pharmacy key seals each record on receipt (the receipt seal).",
            [LiveCheck.KeyProtection]),
        new("1311.205(b)(4)", "The pharmacy's signing: FIPS module, encrypted key, password cleared, clock within five minutes",
            "Signing uses the platform cryptography (OpenSSL, CNG); the key is stored PKCS#8-encrypted (PBES2, AES-256) and its password is read from the environment or a secret file and cleared; the clock is checked against NIST hourly.",
            [LiveCheck.KeyProtection, LiveCheck.Clock]),
        new("1311.205(b)(5)", "Verify the practitioner's digital signature",
            "A practitioner's signature is verified, its certificate path built to a trusted anchor and checked against current CRLs.",
            [LiveCheck.TrustAnchors, LiveCheck.CurrentCrls]),
        new("1311.205(b)(6)", "Indication of signing checked, or shown to the pharmacist",
            "A message with only the signature indicator is sealed on receipt (ReceiptSigned); one without it is NeedsPharmacistReview and shown to the pharmacist.",
            []),
        new("1311.205(b)(7)", "Full DEA number, with an institution's internal code",
            "The prescriber's DEA number is read and kept in full, including a suffix after the registration number.",
            []),
        new("1311.205(b)(8)", "Read, store and display all information required by part 1306",
            "The as-received bytes are kept and the 1306 elements are read from them and shown.",
            []),
        new("1311.205(b)(9)", "The 1306.05(a) information kept in full, checked present or shown",
            "Each 1306.05(a) element is checked present; a missing one makes the record NeedsPharmacistReview with the element named.",
            []),
        new("1311.205(b)(10)", "Quantity, date and dispenser's name linked to each dispensing",
            "Each dispensing is an append-only record with quantity, date and the dispenser's name and initials, linked to the prescription.",
            []),
        new("1311.205(b)(11)", "Retrieve by practitioner, patient, drug and date dispensed",
            "Search by prescriber name, patient name, drug name and date dispensed.",
            []),
        new("1311.205(b)(12)", "Download into a readable, sortable database or spreadsheet",
            "The inspector's export writes CSV, XLSX or SQLite, sortable by prescriber, patient, drug and date filled.",
            []),
        new("1311.205(b)(13)", "An audit trail of receipt, annotation, alteration, deletion and access-control changes",
            "Every receipt, annotation, dispensing, void, access-control change and auditable event appends a hash-chained audit event in the same transaction.",
            [LiveCheck.SignedChain]),
        new("1311.205(b)(14)", "Each audit record has date and time, type, person and outcome",
            "Each audit event carries its time, type, actor and outcome (Success or Failure).",
            []),
        new("1311.205(b)(15)", "Internal audits and reports readable by the pharmacist",
            "The daily audit report (text, HTML, CSV, JSON) lists the auditable events of 1311.215(a) by category.",
            [LiveCheck.AuditReport]),
        new("1311.205(b)(16)", "Audit records protected from deletion and modification",
            "Audit events are append-only (database triggers), hash-chained, and the chain head is signed and copied outside the data folder; verify finds any edit or deletion.",
            [LiveCheck.SignedChain, LiveCheck.FileModes, LiveCheck.PinOutside]),
        new("1311.205(b)(17)", "Daily backup of the prescription records",
            "The database is backed up online every day, checked, with a signed manifest, and copied to a second folder; restore is tested.",
            [LiveCheck.Backups, LiveCheck.SecondFolder]),
        new("1311.205(b)(18)", "Archived records retained two years",
            "Archive rows cannot be updated or deleted; backups keep the first of each month for 24 months.",
            [LiveCheck.Retention]),
        new("1311.210(a)", "Each record received is digitally signed by the last intermediary or by the pharmacy on receipt",
            "A record an intermediary signed is IntermediarySigned; otherwise the pharmacy seals it on receipt with its own key.",
            [LiveCheck.KeyProtection]),
        new("1311.210(b)", "The intermediary's signed copy is forwarded to the pharmacy",
            "The intermediary's signature is kept in the as-received bytes and verified against the trusted intermediary's certificate.",
            [LiveCheck.TrustAnchors]),
        new("1311.210(c)", "A practitioner-signed prescription: verify, check the CRL, archive with the indication",
            "The signature is verified, the certificate checked against a current CRL (cached until nextUpdate; without one the record waits, PendingRevocationCheck), and the record archived as VerifiedOnReceipt.",
            [LiveCheck.TrustAnchors, LiveCheck.CurrentCrls, LiveCheck.PendingRecords]),
        new("1311.215(a)", "The auditable events",
            "Refusals, unauthorized modification attempts, interference with operations (clock, backups, CRLs), access-control changes and audit-trail interference are audited and sorted into the five categories.",
            [LiveCheck.SignedChain, LiveCheck.Clock, LiveCheck.IngestRefusals]),
        new("1311.215(b)", "Audit trail analysed every calendar day, incident report generated",
            "Every local calendar day (and at start-up for a day missed) the trail is analysed and the incident report written and signed.",
            [LiveCheck.AuditReport]),
        new("1311.215(c)", "Each auditable event determined; a security incident reported within one business day",
            "A person with ReadAudit decides each flagged event (incident or not, with the reason), audited; an incident's report (text and HTML) is kept in the database and shown with its deadline, the next weekday, until it is marked sent.",
            [LiveCheck.SecurityIncidents]),
        new("1311.305", "Records kept electronically two years, readily retrievable, migrated with their signatures",
            "Records are kept in the database and its backups, retrievable and exportable; a backup carries the signed records and the key history.",
            [LiveCheck.Retention, LiveCheck.Backups]),
        new("1304.04(h)(5)", "Records in a part 1311 application, printable and sortable by prescriber, patient, drug and date filled",
            "The inspector's export sorts by prescriber name, patient name, drug dispensed and date filled, as CSV, XLSX or a SQLite database.",
            []),
    ];
}
