using PharmacyRx.Core.Access;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Dispensing;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Verification;
using PharmacyRx.Storage.Access;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Dispensing;
using PharmacyRx.Storage.Receiving;
using PharmacyRx.Storage.Verification;
using PharmacyRx.Testing;

namespace PharmacyRx.Storage.Tests.Providers;

internal sealed partial class ProviderStore
{
    // ECDSA keys: made once, in milliseconds.
    private static readonly Lazy<TestPki> Pki = new(() => new TestPki(DateTimeOffset.UtcNow, "Suite"));

    /// <summary>A status every dispensing rule lets through, so a store's work is decided by what the test does.</summary>
    public static ReceiptDecision Verified { get; } = new(PrescriptionStatus.VerifiedOnReceipt, "Test", "synthetic", []);

    /// <summary>The synthetic PKI's root and intermediate, as pharmacy IT would trust them.</summary>
    public static TrustedCertificate[] Certificates =>
    [
        new(Pki.Value.Root.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256), TrustPurpose.Anchor,
            Pki.Value.Root.Subject, Pki.Value.Root.NotAfter, Pki.Value.Root.RawData),
        new(Pki.Value.Intermediate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256), TrustPurpose.Intermediary,
            Pki.Value.Intermediate.Subject, Pki.Value.Intermediate.NotAfter, Pki.Value.Intermediate.RawData),
    ];

    /// <summary>A CRL of the synthetic root (or intermediate), issued <paramref name="hoursAgo"/>, parsed as the service parses one.</summary>
    public static RevocationList Crl(bool intermediate = false, long number = 1, int hoursAgo = 1)
    {
        var pki = Pki.Value;
        var der = pki.Crl(intermediate ? pki.Intermediate : pki.Root, [], number: number, thisUpdate: pki.Now.AddHours(-hoursAgo));
        Assert.That(RevocationList.TryParse(der, $"test-{(intermediate ? "intermediate" : "root")}-{number}", out var crl, out var reason), reason);
        return crl!;
    }

    public PharmacyWorkStore Work(TimeProvider? time = null) =>
        new(Database, new PharmacyClock(time ?? TimeProvider.System, TimeZoneInfo.Utc), new ScriptMessageReader(), new DispensingOptions());

    /// <summary>
    /// Two or more rows in every covered table, each written through the service as it writes them: three prescriptions,
    /// two status changes, notes and fills on two of them, two CRLs, users pharm, tech and clerk (no role), Export granted
    /// to pharm and tech by name, an API key each, two trusted certificates, senders gateway-a and gateway-b (disabled), two
    /// security incidents decided.
    /// Roles and their permissions are the migration's. Returns the prescriptions' receipt ids.
    /// </summary>
    /// <summary>The issuer of the identity provider's people in a filled store.</summary>
    public const string FederatedIssuer = "https://idp.example.test/realms/pharmacy";

    public async Task<Guid[]> FillEveryCoveredTableAsync()
    {
        var none = CancellationToken.None;
        var receipts = new List<Guid>();
        await using (var writer = Writer())
        {
            for (var i = 1; i <= 3; i++)
            {
                var entry = Entry($"FILLED-{i}") with { Decision = Verified };
                await writer.AppendAsync(entry, none);
                receipts.Add(entry.ReceiptId);
            }
        }
        var work = Work();
        foreach (var receipt in receipts.Take(2))
        {
            var verdict = new VerificationVerdict(PrescriptionStatus.ReceiptSigned, "", "");
            await new VerificationEventStore(Database).RecordAsync(receipt, PrescriptionStatus.VerifiedOnReceipt, verdict, DateTimeOffset.UtcNow, [1, 2, 3], "SEAL", "test", none);
            Assert.That((await work.AnnotateAsync(receipt, AnnotationType.Note, new Dictionary<string, string> { ["text"] = "checked" }, "pharm", none)).Appended);
            Assert.That((await work.DispenseAsync(receipt, new DispensingRules.Request(5, DateOnly.FromDateTime(DateTime.UtcNow), "SP"), "pharm", none)).Appended);
        }
        var crls = new CrlStore(Database, TimeProvider.System);
        Assert.That(await crls.AddAsync(Crl(), "test", none) && await crls.AddAsync(Crl(intermediate: true), "test", none));

        var users = new UserStore(Database, TimeProvider.System);
        var access = new AccessStore(Database, TimeProvider.System);
        var sessions = new SessionStore(Database, TimeProvider.System);
        foreach (var (name, roles) in new[] { ("pharm", new[] { "Pharmacist" }), ("tech", ["Technician"]), ("clerk", []) })
        {
            Assert.That(await users.CreateAsync(new UserStore.NewUser(name, $"Synthetic {name}", name[..2].ToUpperInvariant(), "not-a-hash", roles), "admin", none));
        }
        foreach (var name in new[] { "pharm", "tech" })
        {
            Assert.That(await access.GrantAsync(name, Permission.Export, "admin", none), Is.EqualTo(AccessResult.Changed));
        }
        foreach (var name in new[] { "pharm", "tech" })
        {
            Assert.That((await sessions.CreateApiKeyAsync(name, $"{name}-script", name, none)).Result, Is.EqualTo(AccessResult.Changed));
        }
        var trust = new TrustStore(Database, TimeProvider.System);
        foreach (var certificate in Certificates)
        {
            Assert.That(await trust.AddAsync(certificate, "admin", none));
        }
        var senders = new SenderStore(Database, TimeProvider.System);
        foreach (var name in new[] { "gateway-a", "gateway-b" })
        {
            Assert.That((await senders.AddAsync(name, fromId: $"{name}-from", clientCertificateThumbprint: null, "admin", none)).ApiKey, Does.StartWith(SenderStore.KeyPrefix));
        }
        Assert.That(await senders.DisableAsync("gateway-b", "admin", none));
        // People of the pharmacy's identity provider: two mappings, two sign-ins (each binds its subject and keeps its group).
        var mappings = new ClaimRoleMappings(Database, TimeProvider.System);
        foreach (var (value, role) in new[] { ("rx-pharmacists", "Pharmacist"), ("rx-technicians", "Technician") })
        {
            Assert.That(await mappings.AddAsync(value, role, "admin", none), Is.EqualTo(AccessResult.Changed));
        }
        foreach (var (subject, group) in new[] { ("idp-pharm", "rx-pharmacists"), ("idp-tech", "rx-technicians") })
        {
            var person = new SessionStore.FederatedPerson(FederatedIssuer, subject, $"Synthetic {subject}", "groups", [group]);
            Assert.That((await sessions.LoginFederatedAsync(person, none)).Outcome, Is.EqualTo(LoginOutcome.Succeeded));
        }
        // Two incidents, each a decision row and a kept report (1311.215(c)), over the access-control changes above.
        var incidents = new IncidentStore(Database, new PharmacyRx.Core.Clock.PharmacyClock(TimeProvider.System, TimeZoneInfo.Utc), new PharmacyRx.Storage.Tests.Audit.TextReportPage());
        foreach (var flagged in (await incidents.ReadAsync(none)).Undecided.Take(2))
        {
            Assert.That((await incidents.DecideAsync([flagged.Sequence], incident: true, "synthetic", "nothing", "auditor", none)).Problem, Is.Null);
        }
        return [.. receipts];
    }
}
