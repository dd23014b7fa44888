using System.Globalization;
using Dapper;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Verification;
using PharmacyRx.Storage.Access;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Integrity;
using PharmacyRx.Storage.Receiving;
using PharmacyRx.Storage.Verification;

namespace PharmacyRx.Storage.Tests.Providers;

// The tamper cases of verify: a row of each covered table edited, inserted or deleted on a connection the service did not
// prepare (ProviderStore.IntruderAsync), and a row inserted into each append-only one, is named by table and key by the
// coverage check verify runs (CoverageVerifier), 1311.215(a)(2), (a)(5); the same change made as the stores make changes
// is not. And the database itself refuses that connection's UPDATE and DELETE of append-only rows.
public partial class StorageSuiteTests
{
    private const string Altered = "does not match the hash the audit chain recorded";
    private const string Added = "is not in the audit chain";
    private const string Deleted = "is in the audit chain but not in the table";

    private const string Moment = "'2026-01-01T00:00:00.0000000Z'";

    // A copy of the first archived record under a new receipt id and dedupe key, in the columns both engines have.
    private const string ForgeArchiveRow = """
        INSERT INTO prescription_archive (receipt_id, received_at, source, dedupe_key, message_id, relates_to_message_id, prescriber_order_number,
          transaction_kind, status, reason_code, reason, missing_elements, dea_schedule, prescriber_dea_number, prescriber_name, patient_name,
          drug_description, written_date, cancels_receipt_id, as_received, as_received_sha256, receipt_signature, signer_thumbprint)
        SELECT 'forged-receipt', received_at, source, 'forged', message_id, relates_to_message_id, prescriber_order_number,
          transaction_kind, status, reason_code, reason, missing_elements, dea_schedule, prescriber_dea_number, prescriber_name, patient_name,
          drug_description, written_date, cancels_receipt_id, as_received, as_received_sha256, receipt_signature, signer_thumbprint
        FROM prescription_archive WHERE receipt_id = (SELECT MIN(receipt_id) FROM prescription_archive);
        """;

    /// <summary>
    /// One tamper case: the table, what is done to it, the SQL, the row it is about (a WHERE clause, read before a delete and
    /// after anything else), what verify must say of that row, and the guard triggers the intruder switches off first (as
    /// someone with the file, or a db_owner login, can).
    /// </summary>
    private sealed record Tamper(string Table, string Done, string Sql, string Row, string Finding, params string[] Unguard)
    {
        public TestCaseData Data(string name) => new TestCaseData(Table, Sql, Row, Finding, Unguard).SetName(name);
    }

    public static IEnumerable<TestCaseData> TamperCases(bool intruder) => Tampers().Select(t => t.Data(intruder
        ? $"Verify_names_a_row_{t.Done}_in_{t.Table}_behind_the_services_back"
        : $"Verify_accepts_a_row_{t.Done}_in_{t.Table}_on_the_services_own_connection_in_an_audited_transaction"));

    // Roles are written by the migrations alone: no store adds one.
    public static IEnumerable<TestCaseData> InsertedThenWrittenCases() => Tampers().Where(t => t.Done == "inserted" && t.Table != "roles")
        .Select(t => t.Data($"Verify_still_names_a_row_inserted_in_{t.Table}_behind_the_services_back_after_the_service_writes_to_that_table"));

    private static IEnumerable<Tamper> Tampers()
    {
        static Tamper Case(string table, string done, string sql, string row, string finding, params string[] unguard) => new(table, done, sql, row, finding, unguard);

        yield return Case("users", "edited", "UPDATE users SET password_hash = 'forged' WHERE user_name = 'tech'", "user_name = 'tech'", Altered);
        yield return Case("users", "inserted", $"""
            INSERT INTO users (user_name, full_name, initials, status, password_hash, created_at, kind, created_by, password_change_required)
            VALUES ('intruder', 'Someone', 'SO', 'Active', 'forged', {Moment}, 'Person', 'admin', 0)
            """, "user_name = 'intruder'", Added);
        yield return Case("users", "deleted", "DELETE FROM users WHERE user_name = 'clerk'", "user_name = 'clerk'", Deleted);
        yield return Case("user_roles", "edited", "UPDATE user_roles SET role_name = 'PharmacyAdmin' WHERE user_name = 'tech'", "user_name = 'tech'", Added);
        yield return Case("user_roles", "inserted", "INSERT INTO user_roles (user_name, role_name) VALUES ('clerk', 'PharmacyAdmin')", "user_name = 'clerk'", Added);
        yield return Case("user_roles", "deleted", "DELETE FROM user_roles WHERE user_name = 'pharm'", "user_name = 'pharm'", Deleted);
        yield return Case("user_permissions", "edited", "UPDATE user_permissions SET permission = 'ManageAccess' WHERE user_name = 'tech'", "user_name = 'tech'", Added);
        yield return Case("user_permissions", "inserted", "INSERT INTO user_permissions (user_name, permission) VALUES ('clerk', 'ManageAccess')", "user_name = 'clerk'", Added);
        yield return Case("user_permissions", "deleted", "DELETE FROM user_permissions WHERE user_name = 'tech'", "user_name = 'tech'", Deleted);
        yield return Case("roles", "edited", "UPDATE roles SET description = 'Anything' WHERE role_name = 'Technician'", "role_name = 'Technician'", Altered);
        yield return Case("roles", "inserted", "INSERT INTO roles (role_name, description) VALUES ('Intruders', 'Forged')", "role_name = 'Intruders'", Added);
        yield return Case("roles", "deleted", "DELETE FROM role_permissions WHERE role_name = 'Auditor'; DELETE FROM roles WHERE role_name = 'Auditor'",
            "role_name = 'Auditor'", Deleted);
        yield return Case("claim_role_mappings", "inserted", $"""
            INSERT INTO claim_role_mappings (claim_value, role_name, created_at, created_by) VALUES ('rx-technicians', 'PharmacyAdmin', {Moment}, 'admin')
            """, "claim_value = 'rx-technicians' AND role_name = 'PharmacyAdmin'", Added);
        yield return Case("federated_claims", "inserted", "INSERT INTO federated_claims (user_name, claim_value) SELECT user_name, 'rx-pharmacists' FROM federated_identities WHERE subject = 'idp-tech'",
            "claim_value = 'rx-pharmacists' AND user_name LIKE 'idp-tech@%'", Added);
        yield return Case("federated_identities", "edited", "UPDATE federated_identities SET subject = 'someone-else' WHERE subject = 'idp-pharm'",
            "subject = 'someone-else'", Altered);
        yield return Case("role_permissions", "edited", "UPDATE role_permissions SET permission = 'ManageAccess' WHERE role_name = 'Technician' AND permission = 'Annotate'",
            "role_name = 'Technician' AND permission = 'ManageAccess'", Added);
        yield return Case("role_permissions", "inserted", "INSERT INTO role_permissions (role_name, permission) VALUES ('Inspector', 'ManageAccess')",
            "role_name = 'Inspector' AND permission = 'ManageAccess'", Added);
        yield return Case("role_permissions", "deleted", "DELETE FROM role_permissions WHERE role_name = 'Pharmacist' AND permission = 'Dispense'",
            "role_name = 'Pharmacist' AND permission = 'Dispense'", Deleted);
        yield return Case("api_keys", "edited", "UPDATE api_keys SET user_name = 'pharm' WHERE label = 'tech-script'", "label = 'tech-script'", Altered);
        yield return Case("api_keys", "inserted", $"INSERT INTO api_keys (key_sha256, user_name, label, created_at) VALUES ('forged', 'pharm', 'forged', {Moment})",
            "key_sha256 = 'forged'", Added);
        yield return Case("api_keys", "deleted", "DELETE FROM api_keys WHERE label = 'pharm-script'", "label = 'pharm-script'", Deleted);
        yield return Case("trusted_certificates", "edited",
            "UPDATE trusted_certificates SET not_after = '2999-01-01T00:00:00.0000000Z' WHERE purpose = 'Intermediary'", "purpose = 'Intermediary'", Altered);
        yield return Case("trusted_certificates", "inserted", """
            INSERT INTO trusted_certificates (thumbprint, purpose, subject, not_after, der, added_at, added_by)
            SELECT 'FORGED', 'Anchor', 'CN=Forged', not_after, der, added_at, added_by FROM trusted_certificates WHERE purpose = 'Anchor'
            """, "thumbprint = 'FORGED'", Added);
        yield return Case("trusted_certificates", "deleted", "DELETE FROM trusted_certificates WHERE purpose = 'Anchor'", "purpose = 'Anchor'", Deleted);
        yield return Case("senders", "edited", "UPDATE senders SET key_sha256 = 'forged' WHERE sender_name = 'gateway-b'", "sender_name = 'gateway-b'", Altered,
            "senders_only_disable");
        yield return Case("senders", "inserted", $"""
            INSERT INTO senders (sender_name, key_sha256, from_id, client_cert_thumbprint, created_at, created_by)
            VALUES ('gateway-forged', 'forged', NULL, NULL, {Moment}, 'admin')
            """, "sender_name = 'gateway-forged'", Added);
        yield return Case("senders", "deleted", "DELETE FROM senders WHERE sender_name = 'gateway-a'", "sender_name = 'gateway-a'", Deleted, "senders_no_delete");

        // Append-only tables: the database refuses UPDATE and DELETE (below); an inserted row is what is left.
        yield return Case("prescription_archive", "inserted", ForgeArchiveRow, "receipt_id = 'forged-receipt'", Added);
        yield return Case("verification_events", "inserted", """
            INSERT INTO verification_events (receipt_id, occurred_at, status, reason_code, reason, seal, signer_thumbprint)
            SELECT receipt_id, occurred_at, 'VerifiedOnReceipt', reason_code, reason, seal, signer_thumbprint FROM verification_events
            WHERE id = (SELECT MIN(id) FROM verification_events)
            """, "id = (SELECT MAX(id) FROM verification_events)", Added);
        yield return Case("prescriptions", "inserted", ForgeArchiveRow + """
            INSERT INTO prescriptions (receipt_id, received_at, patient_key, prescriber_key, drug_key, dea_schedule, written_date,
              earliest_fill_date, quantity, quantity_unit, refills_authorized)
            SELECT 'forged-receipt', received_at, patient_key, prescriber_key, drug_key, dea_schedule, written_date,
              earliest_fill_date, quantity, quantity_unit, '9' FROM prescriptions
            WHERE prescription_number = (SELECT MIN(prescription_number) FROM prescriptions)
            """, "receipt_id = 'forged-receipt'", Added);
        yield return Case("annotations", "inserted", """
            INSERT INTO annotations (receipt_id, annotation_type, fields, created_at, created_by)
            SELECT receipt_id, 'RefillAuthorization', '{"additionalRefills":"9"}', created_at, created_by FROM annotations
            WHERE id = (SELECT MIN(id) FROM annotations)
            """, "id = (SELECT MAX(id) FROM annotations)", Added);
        yield return Case("dispensings", "inserted", """
            INSERT INTO dispensings (receipt_id, quantity, quantity_unit, date_dispensed, dispenser, refill_number, recorded_at, recorded_by)
            SELECT receipt_id, quantity, quantity_unit, date_dispensed, dispenser, refill_number, recorded_at, recorded_by FROM dispensings
            WHERE id = (SELECT MIN(id) FROM dispensings)
            """, "id = (SELECT MAX(id) FROM dispensings)", Added);
        yield return Case("revocation_lists", "inserted", """
            INSERT INTO revocation_lists (sha256, issuer, crl_number, this_update, next_update, source, der, stored_at)
            SELECT 'forged', issuer, '999', this_update, next_update, source, der, stored_at FROM revocation_lists
            WHERE sha256 = (SELECT MIN(sha256) FROM revocation_lists)
            """, "sha256 = 'forged'", Added);
    }

    [Test]
    public async Task Every_covered_table_has_rows_and_an_untouched_store_verifies()
    {
        await _store.FillEveryCoveredTableAsync();
        await using (var connection = await _store.IntruderAsync())
        {
            foreach (var table in CoveredTables.All)
            {
                Assert.That(await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table.Name}"), Is.GreaterThanOrEqualTo(2), table.Name);
            }
        }

        Assert.That(await VerifyAsync(), Is.Empty);
    }

    [TestCase("prescription_archive", "UPDATE prescription_archive SET patient_name = 'Someone Else'")]
    [TestCase("prescription_archive", "DELETE FROM prescription_archive")]
    [TestCase("verification_events", "UPDATE verification_events SET status = 'VerifiedOnReceipt'")]
    [TestCase("verification_events", "DELETE FROM verification_events")]
    [TestCase("audit_events", "UPDATE audit_events SET outcome = 'Success'")]
    [TestCase("audit_events", "DELETE FROM audit_events")]
    [TestCase("annotations", "UPDATE annotations SET annotation_type = 'Void'")]
    [TestCase("annotations", "DELETE FROM annotations")]
    [TestCase("dispensings", "UPDATE dispensings SET quantity = '999'")]
    [TestCase("dispensings", "DELETE FROM dispensings")]
    [Property("Rule", "1311.205(b)(16)")]
    [Property("Rule", "1311.205(b)(18)")]
    public async Task The_database_refuses_an_intruder_changing_or_removing_rows_of_an_append_only_table(string table, string sql)
    {
        await _store.FillEveryCoveredTableAsync();
        await using var connection = await _store.IntruderAsync();
        var before = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");

        Assert.ThrowsAsync(Is.InstanceOf<System.Data.Common.DbException>(), () => connection.ExecuteAsync(sql));

        Assert.That(await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}"), Is.EqualTo(before).And.GreaterThanOrEqualTo(2));
        Assert.That(await VerifyAsync(), Is.Empty, "nothing changed");
    }

    [TestCaseSource(nameof(TamperCases), new object[] { true })]
    public async Task Verify_names_the_row_changed_behind_the_services_back(string table, string sql, string row, string finding, string[] unguard)
    {
        await _store.FillEveryCoveredTableAsync();
        var key = await TamperAsync(table, sql, row, readBefore: finding == Deleted, unguard, intruder: true);

        var problems = await VerifyAsync();

        Assert.That(problems, Has.Some.StartsWith($"table {table} row {key} {finding}"), string.Join('\n', problems));
    }

    /// <summary>
    /// The control of the case above: the same SQL run the way every store writes (on a connection the service prepared,
    /// in a write transaction its audit append commits) is recorded in the chain, and verify finds nothing. So each case
    /// above fails should the service's connections stop recording coverage, or an intruder's start to.
    /// </summary>
    [TestCaseSource(nameof(TamperCases), new object[] { false })]
    public async Task Verify_accepts_the_same_change_made_on_the_services_own_connection(string table, string sql, string row, string finding, string[] unguard)
    {
        await _store.FillEveryCoveredTableAsync();
        await TamperAsync(table, sql, row, readBefore: finding == Deleted, unguard, intruder: false);

        Assert.That(await VerifyAsync(), Is.Empty);
    }

    /// <summary>
    /// A row an intruder inserted is not swept into the chain by the next write the service makes to the same table (the
    /// service records the rows its own transaction wrote, not a range that happens to hold the intruder's too).
    /// </summary>
    [TestCaseSource(nameof(InsertedThenWrittenCases))]
    public async Task Verify_still_names_an_inserted_row_after_the_service_writes_to_its_table(string table, string sql, string row, string finding, string[] unguard)
    {
        var receipts = await _store.FillEveryCoveredTableAsync();
        var key = await TamperAsync(table, sql, row, readBefore: false, unguard, intruder: true);

        var wrote = await ServiceWritesToAsync(table, receipts[2]);
        var problems = await VerifyAsync();

        Assert.That(wrote, $"the service wrote a row of {table}");
        Assert.That(problems, Has.Some.StartsWith($"table {table} row {key} {finding}"), string.Join('\n', problems));
    }

    /// <summary>One row written to the table as the service writes it, about the filled store's third prescription; true when written.</summary>
    private async Task<bool> ServiceWritesToAsync(string table, Guid receipt)
    {
        var (database, time) = (_store.Database, TimeProvider.System);
        var access = new AccessStore(database, time);
        switch (table)
        {
            case "users":
                return await new UserStore(database, time).CreateAsync(new UserStore.NewUser("later", "Synthetic later", "SL", "hash", []), "admin", default);
            case "user_roles":
                return await access.AssignRoleAsync("clerk", "Inspector", "admin", default) == AccessResult.Changed;
            case "user_permissions":
                return await access.GrantAsync("clerk", Permission.Export, "admin", default) == AccessResult.Changed;
            case "role_permissions":
                return await access.ChangeRoleAsync("Auditor", Permission.Export, grant: true, "admin", default) == AccessResult.Changed;
            case "api_keys":
                return (await new SessionStore(database, time).CreateApiKeyAsync("clerk", "later", "clerk", default)).Result == AccessResult.Changed;
            case "trusted_certificates":
                return await new TrustStore(database, time).AddAsync(ProviderStore.Certificates[0] with { Thumbprint = "LATER" }, "admin", default);
            case "claim_role_mappings":
                return await new ClaimRoleMappings(database, time).AddAsync("rx-later", "Inspector", "admin", default) == AccessResult.Changed;
            case "federated_claims":
                return (await new SessionStore(database, time).LoginFederatedAsync(
                    new SessionStore.FederatedPerson(ProviderStore.FederatedIssuer, "idp-pharm", "Synthetic idp-pharm", "groups", ["rx-pharmacists", "rx-later"]), default))
                    .Outcome == LoginOutcome.Succeeded;
            case "senders":
                return (await new SenderStore(database, time).AddAsync("gateway-later", null, null, "admin", default)).ApiKey is not null;
            case "prescription_archive" or "prescriptions":
                await using (var writer = _store.Writer())
                {
                    return !(await writer.AppendAsync(ProviderStore.Entry("LATER-1"), default)).IsDuplicate;
                }
            case "verification_events":
                await new VerificationEventStore(database).RecordAsync(receipt, PrescriptionStatus.VerifiedOnReceipt,
                    new VerificationVerdict(PrescriptionStatus.ReceiptSigned, "", ""), DateTimeOffset.UtcNow, [1], "SEAL", "test", default);
                return true;
            case "annotations":
                return (await _store.Work().AnnotateAsync(receipt, AnnotationType.Note, new Dictionary<string, string> { ["text"] = "later" }, "pharm", default)).Appended;
            case "dispensings":
                return (await _store.Work().DispenseAsync(receipt, new DispensingRules.Request(5, DateOnly.FromDateTime(DateTime.UtcNow), "SP"), "pharm", default)).Appended;
            case "revocation_lists":
                return await new CrlStore(database, time).AddAsync(ProviderStore.Crl(number: 9), "test", default);
            default:
                throw new ArgumentOutOfRangeException(nameof(table), table, "no store writes it");
        }
    }

    /// <summary>
    /// Runs the SQL on a raw connection (or, not <paramref name="intruder"/>, as a store writes); returns the key of the row it
    /// is about, as verify shows it (read before a delete, after anything else).
    /// </summary>
    private async Task<string> TamperAsync(string tableName, string sql, string row, bool readBefore, string[] unguard, bool intruder)
    {
        var table = CoveredTables.Find(tableName)!;
        var keyOf = $"SELECT {table.KeyExpression()} FROM {table.Name} WHERE {row}";
        await using var connection = await _store.IntruderAsync();
        async Task<string> KeyAsync() =>
            CoveredTable.Show(Convert.ToString(await connection.ExecuteScalarAsync<object>(keyOf), CultureInfo.InvariantCulture)
                ?? throw new InvalidOperationException($"no row {row} in {table.Name}"));
        var before = readBefore ? await KeyAsync() : null;
        if (unguard.Length > 0)
        {
            await connection.ExecuteAsync(_store.WithoutTriggers(table.Name, unguard));
        }
        if (intruder)
        {
            await connection.ExecuteAsync(sql);
        }
        else
        {
            await _store.Database.AuditedAsync<bool>(async (service, transaction) =>
            {
                await service.ExecuteAsync(sql, transaction: transaction);
                return (true, [], true);
            }, CancellationToken.None);
        }
        return before ?? await KeyAsync();
    }

    /// <summary>What verify's coverage check finds: the chain observed in order, then every covered table compared with it.</summary>
    private async Task<IReadOnlyList<string>> VerifyAsync()
    {
        await using var connection = await _store.Database.OpenAsync(CancellationToken.None);
        using var coverage = new CoverageVerifier(_store.Database, connection, null);
        await foreach (var stored in AuditLog.ReadAfterAsync(connection, null, 0, CancellationToken.None))
        {
            await coverage.ObserveAsync(stored, CancellationToken.None);
        }
        return await coverage.CheckTablesAsync(CancellationToken.None);
    }
}
