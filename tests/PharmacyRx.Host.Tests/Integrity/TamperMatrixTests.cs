using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Keys;
using PharmacyRx.Core.Verification;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Tests.Verification;
using PharmacyRx.Storage.Access;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Dispensing;
using PharmacyRx.Storage.Receiving;
using PharmacyRx.Storage.Verification;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Integrity;

/// <summary>
/// Every covered table × every way an intruder with the database file (triggers dropped) can tamper with it: verify names
/// the table and the row, or the signed head beyond which it cannot prove that nothing was truncated. One pharmacy is
/// built once with rows in every covered table and a signed head; each case tampers with its own copy.
/// </summary>
[Parallelizable(ParallelScope.None)]
public class TamperMatrixTests
{
    public enum Tamper
    {
        EditAColumn,
        DeleteARow,
        InsertARow,
        SwapTwoRows,
        TruncateTheTail,
        DeleteAndRecomputeTheChain,
    }

    private static TempFolder? _built;

    private static string BuiltData => Path.Combine(_built!.Path, "data");

    public static IEnumerable<TestCaseData> Cells() =>
        from table in CoveredTables.All
        from tamper in Enum.GetValues<Tamper>()
        // A row of a key-only table (a grant) has no content apart from its key to swap.
        where !(tamper == Tamper.SwapTwoRows && table.Name is "user_roles" or "user_permissions" or "role_permissions" or "federated_claims")
        select new TestCaseData(table.Name, tamper).SetName($"Verify_finds_{tamper}_in_{table.Name}");

    [OneTimeSetUp]
    public async Task BuildAPharmacyWithRowsInEveryCoveredTable()
    {
        await using (var pharmacy = await VerifyingPharmacy.CreateAsync())
        {
            var key = pharmacy.Get<PharmacySigningKey>();
            var receipts = new List<Guid>();
            for (var i = 1; i <= 3; i++)
            {
                receipts.Add((await pharmacy.ReceiveAsync(new SyntheticNewRx { MessageId = $"M-{i}", PrescriberOrderNumber = $"O-{i}" })).ReceiptId);
            }
            var at = DateTimeOffset.UtcNow;
            foreach (var receipt in receipts.Take(2))
            {
                var verdict = new VerificationVerdict(PrescriptionStatus.ReceiptSigned, "", "");
                var seal = key.Sign(ReceiptSeal.StatusChangeContent(receipt, at, verdict.Status.ToString(), verdict.ReasonCode, verdict.Reason));
                await pharmacy.Get<VerificationEventStore>().RecordAsync(receipt, PrescriptionStatus.ReceiptSigned, verdict, at, seal, key.Thumbprint, "test", CancellationToken.None);
            }
            var work = pharmacy.Get<PharmacyWorkStore>();
            foreach (var receipt in receipts.Take(2))
            {
                Assert.That((await work.AnnotateAsync(receipt, AnnotationType.Note, new Dictionary<string, string> { ["text"] = "checked" }, "pharm", default)).Appended);
                Assert.That((await work.DispenseAsync(receipt, new DispensingRules.Request(5, DateOnly.FromDateTime(DateTime.UtcNow), "SP"), "pharm", default)).Appended);
            }
            var users = pharmacy.Get<UserStore>();
            var access = pharmacy.Get<AccessStore>();
            foreach (var name in new[] { "pharm", "tech" })
            {
                Assert.That(await users.CreateAsync(new UserStore.NewUser(name, $"Synthetic {name}", name[..2].ToUpperInvariant(), "x", ["Pharmacist"]), "admin", default));
                await access.GrantAsync(name, Permission.Export, "admin", default);
                Assert.That((await pharmacy.Get<SessionStore>().CreateApiKeyAsync(name, "script", name, default)).Key, Does.StartWith("prk_"), "a key for oneself is issued");
            }
            var senders = new SenderStore(pharmacy.Get<Database>(), TimeProvider.System);
            foreach (var name in new[] { "gateway-a", "gateway-b" })
            {
                Assert.That((await senders.AddAsync(name, fromId: $"{name}-from", clientCertificateThumbprint: null, "admin", default)).ApiKey, Does.StartWith(SenderStore.KeyPrefix));
            }
            // People of an identity provider, their claim values and the values mapped to roles (two of each).
            var mappings = pharmacy.Get<ClaimRoleMappings>();
            foreach (var (claim, role) in new[] { ("rx-pharmacists", "Pharmacist"), ("rx-technicians", "Technician") })
            {
                Assert.That(await mappings.AddAsync(claim, role, "admin", default), Is.EqualTo(AccessResult.Changed));
            }
            foreach (var subject in new[] { "idp-pharm", "idp-tech" })
            {
                var person = new SessionStore.FederatedPerson("https://idp.example.test", subject, $"Synthetic {subject}", "groups", ["rx-pharmacists", "rx-technicians"]);
                Assert.That((await pharmacy.Get<SessionStore>().LoginFederatedAsync(person, default)).Outcome, Is.EqualTo(LoginOutcome.Succeeded));
            }
            var incidents = new IncidentStore(pharmacy.Get<Database>(), new PharmacyRx.Core.Clock.PharmacyClock(TimeProvider.System, TimeZoneInfo.Utc), new PharmacyRx.Host.Audit.IncidentReportPage());
            foreach (var flagged in (await incidents.ReadAsync(default)).Undecided.Take(2))
            {
                Assert.That((await incidents.DecideAsync([flagged.Sequence], incident: true, "synthetic", "nothing", "auditor", default)).Problem, Is.Null);
            }
            using var pki = new TestPki(DateTimeOffset.UtcNow);
            await pharmacy.TrustAsync(pki.Root);
            await pharmacy.TrustAsync(pki.Intermediate, TrustPurpose.Intermediary);
            foreach (var (issuer, number) in new[] { (pki.Root, 1L), (pki.Intermediate, 2L) })
            {
                Assert.That(RevocationList.TryParse(pki.Crl(issuer, [], number: number), "test", out var crl, out var reason), reason);
                Assert.That(await pharmacy.Get<CrlStore>().AddAsync(crl!, "test", default));
            }
            Assert.That((await pharmacy.Get<ChainHeads>().SignAsync(default))?.Sequence, Is.GreaterThan(0), "a head is signed over the rows above");
            _built = new TempFolder();
            CopyFolder(pharmacy.Data.Root, BuiltData);
        }
        SqliteConnection.ClearAllPools();
        // Sanity: the untouched copy verifies, and every covered table has the rows the cells need.
        using var copy = new TempFolder();
        var report = await VerifyCopyAsync(copy, _ => Task.CompletedTask);
        Assert.That(report.Problems, Is.Empty);
        await using var connection = Open(Path.Combine(BuiltData, "pharmacyrx.db"));
        foreach (var table in CoveredTables.All)
        {
            Assert.That(await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table.Name}"), Is.GreaterThanOrEqualTo(2), table.Name);
        }
    }

    [OneTimeTearDown]
    public void RemoveThePharmacy() => _built?.Dispose();

    [Test]
    public async Task An_untouched_copy_verifies_and_proves_everything_up_to_its_signed_head()
    {
        using var copy = new TempFolder();
        var report = await VerifyCopyAsync(copy, _ => Task.CompletedTask);

        Assert.That(report.Problems, Is.Empty);
        Assert.That(report.Truncation, Does.StartWith("no truncation provable beyond head "));
    }

    [TestCaseSource(nameof(Cells))]
    public async Task Verify_names_the_row_or_the_last_signed_head(string tableName, Tamper tamper)
    {
        var table = CoveredTables.Find(tableName)!;
        using var copy = new TempFolder();
        var expected = new List<string>();

        var report = await VerifyCopyAsync(copy, async connection =>
        {
            await DropAppendOnlyTriggersAsync(connection);
            expected.AddRange(await TamperAsync(connection, table, tamper));
        });

        await TestContext.Out.WriteLineAsync(string.Join('\n', [.. report.Problems, report.Truncation]));
        Assert.That(report.AllHold, Is.False, "the tampering went unnoticed");
        foreach (var sentence in expected)
        {
            Assert.That(report.Problems, Has.Some.Contains(sentence));
        }
    }

    private static async Task<IEnumerable<string>> TamperAsync(SqliteConnection connection, CoveredTable table, Tamper tamper)
    {
        var rowids = (await connection.QueryAsync<long>($"SELECT rowid FROM {table.Name} ORDER BY rowid")).ToArray();
        var key = table.KeyExpression();
        async Task<string> KeyOf(long rowid) =>
            Convert.ToString(await connection.ExecuteScalarAsync<object>($"SELECT {key} FROM {table.Name} WHERE rowid = @rowid", new { rowid }), CultureInfo.InvariantCulture)!;
        var columns = (await connection.QueryAsync<string>("SELECT name FROM pragma_table_info(@t) ORDER BY cid", new { t = table.Name })).ToArray();
        var content = columns.Except(table.KeyColumns).ToArray();
        var first = await KeyOf(rowids[0]);
        switch (tamper)
        {
            case Tamper.EditAColumn:
            {
                var column = content.Except(table.HashedElsewhere).FirstOrDefault() ?? table.KeyColumns[^1];
                await connection.ExecuteAsync($"""
                    UPDATE {table.Name} SET {column} = CASE typeof({column}) WHEN 'integer' THEN {column} + 1 WHEN 'real' THEN {column} + 1
                      WHEN 'blob' THEN {column} || x'00' WHEN 'null' THEN 'x' ELSE {column} || 'x' END
                    WHERE rowid = @rowid
                    """, new { rowid = rowids[0] });
                return [$"table {table.Name} row {CoveredTable.Show(first)} "];
            }
            case Tamper.DeleteARow:
                await connection.ExecuteAsync($"DELETE FROM {table.Name} WHERE rowid = @rowid", new { rowid = rowids[0] });
                return [$"table {table.Name} row {CoveredTable.Show(first)} is in the audit chain but not in the table"];
            case Tamper.InsertARow:
            {
                var changed = new HashSet<string>([table.KeyColumns[^1], "dedupe_key", "receipt_id", "sha256", "thumbprint", "key_sha256", "user_name", "subject"]);
                var values = columns.Select(c => !changed.Contains(c) ? c
                    : $"CASE typeof({c}) WHEN 'integer' THEN (SELECT MAX({c}) + 1 FROM {table.Name}) ELSE {c} || '-forged' END");
                await connection.ExecuteAsync($"INSERT INTO {table.Name} ({string.Join(", ", columns)}) SELECT {string.Join(", ", values)} FROM {table.Name} WHERE rowid = @rowid",
                    new { rowid = rowids[0] });
                var forged = await KeyOf(await connection.ExecuteScalarAsync<long>($"SELECT MAX(rowid) FROM {table.Name}"));
                return [$"table {table.Name} row {CoveredTable.Show(forged)} is not in the audit chain"];
            }
            case Tamper.SwapTwoRows:
            {
                var second = await KeyOf(rowids[1]);
                var a = (IDictionary<string, object>)await connection.QuerySingleAsync($"SELECT * FROM {table.Name} WHERE rowid = @rowid", new { rowid = rowids[0] });
                var b = (IDictionary<string, object>)await connection.QuerySingleAsync($"SELECT * FROM {table.Name} WHERE rowid = @rowid", new { rowid = rowids[1] });
                await connection.ExecuteAsync($"DELETE FROM {table.Name} WHERE rowid IN (@a, @b)", new { a = rowids[0], b = rowids[1] });
                foreach (var (keys, contents) in new[] { (a, b), (b, a) })
                {
                    var parameters = new DynamicParameters();
                    foreach (var column in columns)
                    {
                        parameters.Add(column, table.KeyColumns.Contains(column) ? keys[column] : contents[column]);
                    }
                    await connection.ExecuteAsync($"INSERT INTO {table.Name} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "@" + c))})", parameters);
                }
                return [$"table {table.Name} row {CoveredTable.Show(first)} ", $"table {table.Name} row {CoveredTable.Show(second)} "];
            }
            case Tamper.TruncateTheTail:
            {
                // The newest row and every audit event from the one that recorded it: the tail of table and trail, gone.
                var last = await KeyOf(rowids[^1]);
                var recordedAt = await RecordedInAsync(connection, table, last);
                await connection.ExecuteAsync($"DELETE FROM {table.Name} WHERE rowid = @rowid; DELETE FROM audit_events WHERE sequence >= @recordedAt",
                    new { rowid = rowids[^1], recordedAt });
                return ["is beyond the end of the audit trail: the trail was truncated"];
            }
            case Tamper.DeleteAndRecomputeTheChain:
            {
                // The row, and its pair in the event that recorded it, then every later hash recomputed: a consistent chain.
                var recordedAt = await RecordedInAsync(connection, table, first);
                var details = await connection.ExecuteScalarAsync<string>("SELECT details FROM audit_events WHERE sequence = @recordedAt", new { recordedAt });
                await connection.ExecuteAsync($"DELETE FROM {table.Name} WHERE rowid = @rowid; DELETE FROM coverage_rows WHERE table_name = @t AND row_key = @k",
                    new { rowid = rowids[0], t = table.Name, k = first });
                await connection.ExecuteAsync("UPDATE audit_events SET details = @details WHERE sequence = @recordedAt",
                    new { recordedAt, details = RowCoverage.Details(RowCoverage.Parse(details!).Where(p => p.Key != first)) });
                await RecomputeChainAsync(connection);
                return ["no longer matches signed head"];
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(tamper));
        }
    }

    /// <summary>The audit event that recorded a row, found in the chain as an intruder would.</summary>
    private static async Task<long> RecordedInAsync(SqliteConnection connection, CoveredTable table, string key)
    {
        var events = await connection.QueryAsync<(long Sequence, string Details)>(
            "SELECT sequence, details FROM audit_events WHERE event_type = 'RowsCovered' AND target = @t ORDER BY sequence DESC", new { t = table.Name });
        return events.First(e => RowCoverage.Parse(e.Details).Any(p => p.Key == key)).Sequence;
    }

    /// <summary>Rewrites every event's hashes from the first, as an intruder who knows the chain's rule would.</summary>
    internal static async Task RecomputeChainAsync(SqliteConnection connection)
    {
        var rows = (await connection.QueryAsync<(long Sequence, string OccurredAt, string Type, string Actor, string Outcome, string Target, string Details)>(
            "SELECT sequence, occurred_at, event_type, actor, outcome, target, details FROM audit_events ORDER BY sequence")).ToArray();
        var previous = AuditChain.GenesisHash;
        var sequence = 0L;
        foreach (var row in rows)
        {
            sequence++;
            var auditEvent = new AuditEvent(ReceiptSeal.ParseTimestamp(row.OccurredAt), row.Type, row.Actor, Enum.Parse<AuditOutcome>(row.Outcome), row.Target, row.Details);
            var hash = AuditChain.Hash(sequence, auditEvent, previous);
            await connection.ExecuteAsync("UPDATE audit_events SET sequence = @sequence, previous_hash = @previous, hash = @hash WHERE sequence = @old",
                new { sequence, previous, hash, old = row.Sequence });
            previous = hash;
        }
    }

    internal static async Task DropAppendOnlyTriggersAsync(SqliteConnection connection)
    {
        foreach (var trigger in (await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'trigger'")).ToArray())
        {
            await connection.ExecuteAsync($"DROP TRIGGER {trigger}");
        }
    }

    private static async Task<ArchiveVerifier.Report> VerifyCopyAsync(TempFolder copy, Func<SqliteConnection, Task> tamper)
    {
        var data = new DataFolder(copy.File("data"));
        CopyFolder(BuiltData, data.Root);
        await using (var connection = Open(data.DatabasePath))
        {
            await tamper(connection);
        }
        var configuration = new ConfigurationBuilder().Build();
        await using var services = new ServiceCollection().AddLogging().AddPharmacyRx(configuration, data, signingKey: null).BuildServiceProvider();
        var report = await services.GetRequiredService<ArchiveVerifier>().VerifyAsync(CancellationToken.None);
        SqliteConnection.ClearAllPools();
        return report;
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False;Foreign Keys=False");
        connection.Open();
        return connection;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
