namespace PharmacyRx.Storage.Audit;

/// <summary>
/// Every table the dispensing and access rules read, covered by the audit chain: each row's hash is recorded when
/// written and recomputed by <c>verify</c> (1311.205(b)(16), 1311.215(a)(2), (a)(5)); the as-received archive is also
/// sealed. A new table is one line here: its key, append-only or not, looked up row by row or not.
/// </summary>
public static class CoveredTables
{
    public static IReadOnlyList<CoveredTable> All { get; } =
    [
        new("prescription_archive", ["receipt_id"], AppendOnly: true, LookedUp: true, "as_received"),
        new("verification_events", ["id"], AppendOnly: true, LookedUp: true),
        new("prescriptions", ["prescription_number"], AppendOnly: true),
        new("annotations", ["id"], AppendOnly: true, LookedUp: true),
        new("dispensings", ["id"], AppendOnly: true, LookedUp: true),
        new("revocation_lists", ["sha256"], AppendOnly: true),
        new("users", ["user_name"], AppendOnly: false),
        new("user_roles", ["user_name", "role_name"], AppendOnly: false),
        new("user_permissions", ["user_name", "permission"], AppendOnly: false),
        new("roles", ["role_name"], AppendOnly: false),
        new("role_permissions", ["role_name", "permission"], AppendOnly: false),
        new("api_keys", ["key_sha256"], AppendOnly: false),
        new("trusted_certificates", ["thumbprint"], AppendOnly: false),
        new("senders", ["sender_name"], AppendOnly: false),
        new("federated_identities", ["user_name"], AppendOnly: false),
        new("federated_claims", ["user_name", "claim_value"], AppendOnly: false),
        new("claim_role_mappings", ["claim_value", "role_name"], AppendOnly: false),
        new("incident_decisions", ["id"], AppendOnly: true, LookedUp: true),
        new("incident_reports", ["decision_id"], AppendOnly: true, LookedUp: true),
    ];

    public static CoveredTable? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
