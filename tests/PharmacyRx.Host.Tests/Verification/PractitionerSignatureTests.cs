using System.Diagnostics;
using System.Security.Cryptography;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Verification;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Verification;
using PharmacyRx.Storage.Verification;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Verification;

/// <summary>
/// Signed prescriptions through the full receipt pipeline (1311.210(c)): a PKI made in the test, CRLs served over real
/// HTTP on 127.0.0.1 from the certificates' distribution points, a SQLite archive on disk.
/// </summary>
public class PractitionerSignatureTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private CrlServer _server = null!;
    private TestPki _pki = null!;
    private VerifyingPharmacy _pharmacy = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _server = await CrlServer.StartAsync();
        _pki = new TestPki(Now, crlBaseUrl: _server.Served);
        Publish(_pki, _server);
        _pharmacy = await VerifyingPharmacy.CreateAsync();
        await _pharmacy.TrustAsync(_pki.Root);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _pharmacy.DisposeAsync();
        await _server.DisposeAsync();
        _pki.Dispose();
    }

    private static void Publish(TestPki pki, CrlServer server, IEnumerable<System.Security.Cryptography.X509Certificates.X509Certificate2>? revokedByIntermediate = null,
        IEnumerable<System.Security.Cryptography.X509Certificates.X509Certificate2>? revokedByRoot = null)
    {
        server.Files["root.crl"] = pki.Crl(pki.Root, revokedByRoot ?? []);
        server.Files["intermediate.crl"] = pki.Crl(pki.Intermediate, revokedByIntermediate ?? []);
    }

    private static SyntheticNewRx Message(string id) => new()
    {
        MessageId = id,
        PrescriberOrderNumber = $"ORD-{id}",
        SentTime = Now.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ss.fZ", System.Globalization.CultureInfo.InvariantCulture),
    };

    [Test]
    [Property("Rule", "1311.205(b)(5)")]
    [Property("Rule", "1311.210(c)")]
    public async Task A_valid_signature_with_current_CRLs_from_the_distribution_points_is_VerifiedOnReceipt()
    {
        var result = await _pharmacy.ReceiveAsync(Message("SIG-VALID").SignedBy(_pki.IssuePractitioner(), HashAlgorithmName.SHA256, _pki.Intermediate));

        Assert.That(result.Status, Is.EqualTo(PrescriptionStatus.VerifiedOnReceipt), result.Reason);
        Assert.That(await _pharmacy.DispensableAsync(result.ReceiptId), Is.True);
        var stored = await _pharmacy.AuditAsync(AuditEventTypes.CrlStored);
        Assert.That(stored.Select(e => e.Details), Has.Some.Contains($"source={_server.Served}/intermediate.crl")
            .And.Some.Contains($"source={_server.Served}/root.crl"));
    }

    [Test]
    [Property("Rule", "1311.205(b)(5)")]
    public async Task Altered_quantity_or_patient_after_signing_is_Invalid_and_says_the_content_was_altered()
    {
        var practitioner = _pki.IssuePractitioner();
        var signed = Message("SIG-ALTERED-QTY").SignedBy(practitioner, HashAlgorithmName.SHA256, _pki.Intermediate);

        var quantity = await _pharmacy.ReceiveAsync(signed with { Quantity = "200" });
        var patient = await _pharmacy.ReceiveAsync(signed with { MessageId = "SIG-ALTERED-PATIENT", PatientLastName = "Otherpatient" });

        foreach (var result in new[] { quantity, patient })
        {
            Assert.That((result.Status, result.ReasonCode), Is.EqualTo((PrescriptionStatus.Invalid, VerificationVerdict.ContentAltered)));
            Assert.That(result.Reason, Does.Contain("altered after signing (1306.08(d))"));
            Assert.That(await _pharmacy.DispensableAsync(result.ReceiptId), Is.False);
        }
    }

    [Test]
    [Property("Rule", "1311.205(b)(5)")]
    public async Task A_signature_made_with_another_key_is_Invalid()
    {
        var named = _pki.IssuePractitioner("Dr Named");
        var other = _pki.IssuePractitioner("Dr Other");
        var signedByOther = Message("SIG-WRONG-KEY").SignedBy(other, HashAlgorithmName.SHA256);
        var block = signedByOther.SignatureBlock!;
        block.Descendants(SyntheticNewRx.Script + "X509Certificate").First().Value = Convert.ToBase64String(named.RawData);

        var result = await _pharmacy.ReceiveAsync(signedByOther with { SignatureBlock = block });

        Assert.That((result.Status, result.ReasonCode), Is.EqualTo((PrescriptionStatus.Invalid, VerificationVerdict.SignatureInvalid)));
    }

    [Test]
    public async Task A_practitioner_signature_on_a_non_controlled_prescription_is_still_verified_and_a_bad_one_is_Invalid()
    {
        var named = _pki.IssuePractitioner("Dr Named");
        var other = _pki.IssuePractitioner("Dr Other");
        var message = SyntheticNewRx.NotControlled with { SentTime = Message("x").SentTime };
        var wrongKey = (message with { MessageId = "NC-WRONG-KEY" }).SignedBy(other, HashAlgorithmName.SHA256);
        var block = wrongKey.SignatureBlock!;
        block.Descendants(SyntheticNewRx.Script + "X509Certificate").First().Value = Convert.ToBase64String(named.RawData);

        var valid = await _pharmacy.ReceiveAsync((message with { MessageId = "NC-VALID" }).SignedBy(named, HashAlgorithmName.SHA256, _pki.Intermediate));
        var bad = await _pharmacy.ReceiveAsync(wrongKey with { SignatureBlock = block });

        Assert.That(valid.Status, Is.EqualTo(PrescriptionStatus.VerifiedOnReceipt), valid.Reason);
        Assert.That((bad.Status, bad.ReasonCode), Is.EqualTo((PrescriptionStatus.Invalid, VerificationVerdict.SignatureInvalid)));
        Assert.That(await _pharmacy.DispensableAsync(bad.ReceiptId), Is.False);
    }

    [Test]
    [Property("Rule", "1311.210(c)")]
    public async Task A_revoked_practitioner_or_a_revoked_intermediate_CA_is_Invalid_with_the_revocation_reason()
    {
        var revoked = _pki.IssuePractitioner("Dr Revoked");
        Publish(_pki, _server, revokedByIntermediate: [revoked], revokedByRoot: [_pki.Intermediate]);

        var practitioner = await _pharmacy.ReceiveAsync(Message("SIG-REVOKED").SignedBy(revoked, HashAlgorithmName.SHA256, _pki.Intermediate));
        var underRevokedCa = await _pharmacy.ReceiveAsync(Message("SIG-REVOKED-CA").SignedBy(_pki.IssuePractitioner(), HashAlgorithmName.SHA256, _pki.Intermediate));

        foreach (var result in new[] { practitioner, underRevokedCa })
        {
            Assert.That((result.Status, result.ReasonCode), Is.EqualTo((PrescriptionStatus.Invalid, VerificationVerdict.CertificateRevoked)));
            Assert.That(result.Reason, Does.Contain("keyCompromise"));
        }
    }

    [Test]
    public async Task An_expired_certificate_or_an_untrusted_root_is_Invalid()
    {
        var expired = _pki.IssuePractitioner("Dr Expired", notBefore: Now.AddYears(-2), notAfter: Now.AddDays(-1));
        using var stranger = new TestPki(Now, "Stranger", _server.Served);

        var old = await _pharmacy.ReceiveAsync(Message("SIG-EXPIRED").SignedBy(expired, HashAlgorithmName.SHA256, _pki.Intermediate));
        var untrusted = await _pharmacy.ReceiveAsync(Message("SIG-UNTRUSTED").SignedBy(stranger.IssuePractitioner(), HashAlgorithmName.SHA256, stranger.Intermediate));

        Assert.That((old.Status, old.ReasonCode), Is.EqualTo((PrescriptionStatus.Invalid, VerificationVerdict.CertificatePathInvalid)));
        Assert.That(old.Reason, Does.Contain("not valid at"));
        Assert.That((untrusted.Status, untrusted.ReasonCode), Is.EqualTo((PrescriptionStatus.Invalid, VerificationVerdict.CertificatePathInvalid)));
    }

    [Test]
    public async Task A_certificate_not_yet_valid_when_the_sender_says_it_signed_is_Invalid()
    {
        var recent = _pki.IssuePractitioner("Dr Recent", notBefore: Now.AddHours(-1));

        var result = await _pharmacy.ReceiveAsync(
            (Message("SIG-BEFORE-CERT") with { SentTime = Now.AddDays(-3).ToString("O", System.Globalization.CultureInfo.InvariantCulture) })
                .SignedBy(recent, HashAlgorithmName.SHA256, _pki.Intermediate));

        Assert.That((result.Status, result.ReasonCode), Is.EqualTo((PrescriptionStatus.Invalid, VerificationVerdict.CertificateNotValidAtSigning)));
    }

    [Test]
    public async Task SHA1_is_refused_by_default_with_a_clear_reason()
    {
        var result = await _pharmacy.ReceiveAsync(Message("SIG-SHA1").SignedBy(_pki.IssuePractitioner(), HashAlgorithmName.SHA1, _pki.Intermediate));

        Assert.That((result.Status, result.ReasonCode), Is.EqualTo((PrescriptionStatus.Invalid, VerificationVerdict.AlgorithmRefused)));
        Assert.That(result.Reason, Does.Contain("SHA-1"));
        var received = await _pharmacy.AuditAsync(AuditEventTypes.PrescriptionReceived);
        Assert.That(received.Single().Details, Does.Contain("reasonCode=AlgorithmRefused"));
    }

    [Test]
    public async Task SHA1_allowed_by_the_setting_is_verified_and_the_audit_trail_says_so()
    {
        await using var legacy = await VerifyingPharmacy.CreateAsync(new() { ["Verification:AllowSha1"] = "true" });
        await legacy.TrustAsync(_pki.Root);

        var result = await legacy.ReceiveAsync(Message("SIG-SHA1-OK").SignedBy(_pki.IssuePractitioner(), HashAlgorithmName.SHA1, _pki.Intermediate));

        Assert.That((result.Status, result.ReasonCode), Is.EqualTo((PrescriptionStatus.VerifiedOnReceipt, VerificationVerdict.LegacySha1Allowed)));
        Assert.That((await legacy.AuditAsync(AuditEventTypes.PrescriptionReceived)).Single().Details, Does.Contain("reasonCode=LegacySha1Allowed"));
    }

    [Test]
    [Property("Rule", "1311.210(c)")]
    public async Task CRL_unreachable_leaves_it_pending_then_a_recheck_verifies_it_once_the_CRL_is_served()
    {
        _server.Available = false;
        var result = await _pharmacy.ReceiveAsync(Message("SIG-PENDING").SignedBy(_pki.IssuePractitioner(), HashAlgorithmName.SHA256, _pki.Intermediate));

        Assert.That((result.Status, result.ReasonCode), Is.EqualTo((PrescriptionStatus.PendingRevocationCheck, VerificationVerdict.RevocationStatusUnavailable)));
        Assert.That(await _pharmacy.DispensableAsync(result.ReceiptId), Is.False);
        Assert.That(await _pharmacy.AuditAsync(AuditEventTypes.CrlFetchFailed), Is.Not.Empty);
        Assert.That(await _pharmacy.RecheckAsync(), Is.EqualTo(new PendingRecheck.Summary(1, 0)), "still unreachable: stays pending");

        _server.Available = true;
        await using var fresh = await ReopenAsync();
        Assert.That(await fresh.RecheckAsync(), Is.EqualTo(new PendingRecheck.Summary(1, 1)));

        var record = await fresh.RecordAsync(result.ReceiptId);
        Assert.That((record.Status, record.CurrentStatus), Is.EqualTo(("PendingRevocationCheck", "VerifiedOnReceipt")), "the row is never changed");
        Assert.That(await fresh.DispensableAsync(result.ReceiptId), Is.True);
        var moved = (await fresh.AuditAsync(AuditEventTypes.VerificationStatusChanged)).Single();
        Assert.That(moved.Details, Does.StartWith("before: status=PendingRevocationCheck; after: status=VerifiedOnReceipt"));
        Assert.That((await fresh.Get<ArchiveVerifier>().VerifyAsync(CancellationToken.None)).Problems, Is.Empty);
        Assert.That(await fresh.RecheckAsync(), Is.EqualTo(new PendingRecheck.Summary(0, 0)));
    }

    [Test]
    public async Task A_recheck_that_finds_the_practitioner_revoked_moves_the_record_to_Invalid()
    {
        var practitioner = _pki.IssuePractitioner();
        _server.Available = false;
        var result = await _pharmacy.ReceiveAsync(Message("SIG-PENDING-REVOKED").SignedBy(practitioner, HashAlgorithmName.SHA256, _pki.Intermediate));
        Assert.That(result.Status, Is.EqualTo(PrescriptionStatus.PendingRevocationCheck));

        Publish(_pki, _server, revokedByIntermediate: [practitioner]);
        _server.Available = true;
        await using var fresh = await ReopenAsync();
        await fresh.RecheckAsync();

        var record = await fresh.RecordAsync(result.ReceiptId);
        Assert.That((record.CurrentStatus, record.CurrentReasonCode), Is.EqualTo(("Invalid", VerificationVerdict.CertificateRevoked)));
    }

    [Test]
    public async Task A_hanging_CRL_server_costs_a_bounded_wait_once_then_fails_fast_and_the_record_is_pending()
    {
        using var hanging = new TestPki(Now, "Hanging", _server.Hanging);
        await _pharmacy.TrustAsync(hanging.Root);
        var practitioner = hanging.IssuePractitioner();

        var clock = Stopwatch.StartNew();
        var first = await _pharmacy.ReceiveAsync(Message("SIG-HANG-1").SignedBy(practitioner, HashAlgorithmName.SHA256, hanging.Intermediate));
        var firstWait = clock.Elapsed;
        clock.Restart();
        var second = await _pharmacy.ReceiveAsync(Message("SIG-HANG-2").SignedBy(practitioner, HashAlgorithmName.SHA256, hanging.Intermediate));

        Assert.That(first.Status, Is.EqualTo(PrescriptionStatus.PendingRevocationCheck));
        Assert.That(first.Reason, Does.Contain("no answer within 1 s"));
        Assert.That(firstWait, Is.LessThan(TimeSpan.FromSeconds(10)), "1 s timeout, one retry");
        Assert.That(second.Status, Is.EqualTo(PrescriptionStatus.PendingRevocationCheck));
        Assert.That(second.Reason, Does.Contain("paused after repeated failures"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "the broken circuit fails fast");
    }

    [Test]
    public async Task A_CRL_server_that_returns_garbage_leaves_the_record_pending_with_the_reason()
    {
        using var garbage = new TestPki(Now, "Garbage", _server.Garbage);
        await _pharmacy.TrustAsync(garbage.Root);

        var result = await _pharmacy.ReceiveAsync(Message("SIG-GARBAGE").SignedBy(garbage.IssuePractitioner(), HashAlgorithmName.SHA256, garbage.Intermediate));

        Assert.That(result.Status, Is.EqualTo(PrescriptionStatus.PendingRevocationCheck));
        Assert.That(result.Reason, Does.Contain("served no CRL"));
    }

    [Test]
    [Property("Rule", "1311.210(c)")]
    public async Task An_expired_CRL_or_one_signed_by_the_wrong_key_is_not_used()
    {
        using var folderOnly = new TestPki(Now, "Folder");
        await _pharmacy.TrustAsync(folderOnly.Root);
        using var impostor = new TestPki(Now, "Folder");
        Directory.CreateDirectory(_pharmacy.Get<SignatureVerification>().CrlFolder);
        var folder = _pharmacy.Get<SignatureVerification>().CrlFolder;
        File.WriteAllBytes(Path.Combine(folder, "root.crl"), folderOnly.Crl(folderOnly.Root, [], nextUpdate: Now.AddMinutes(-1)));
        File.WriteAllBytes(Path.Combine(folder, "intermediate.crl"), impostor.Crl(impostor.Intermediate, []));
        await _pharmacy.Get<SignatureVerification>().ReloadAsync(CancellationToken.None);

        var result = await _pharmacy.ReceiveAsync(Message("SIG-BAD-CRLS").SignedBy(folderOnly.IssuePractitioner(), HashAlgorithmName.SHA256, folderOnly.Intermediate));

        Assert.That(result.Status, Is.EqualTo(PrescriptionStatus.PendingRevocationCheck));
        Assert.That(result.Reason, Does.Contain("verifies with that issuer's key"));

        File.WriteAllBytes(Path.Combine(folder, "intermediate.crl"), folderOnly.Crl(folderOnly.Intermediate, []));
        await _pharmacy.RecheckAsync();
        var record = await _pharmacy.RecordAsync(result.ReceiptId);
        Assert.That(record.CurrentStatus, Is.EqualTo("PendingRevocationCheck"));
        Assert.That(record.Reason, Does.Contain("verifies with that issuer's key"));

        File.WriteAllBytes(Path.Combine(folder, "root.crl"), folderOnly.Crl(folderOnly.Root, [], number: 2));
        await _pharmacy.RecheckAsync();
        Assert.That((await _pharmacy.RecordAsync(result.ReceiptId)).CurrentStatus, Is.EqualTo("VerifiedOnReceipt"));
    }

    [Test]
    [Property("Rule", "1311.210(a)")]
    [Property("Rule", "1311.210(b)")]
    public async Task A_trusted_intermediary_signature_is_IntermediarySigned()
    {
        var intermediary = _pki.IssuePractitioner("Synthetic Intermediary Service");
        await _pharmacy.TrustAsync(intermediary, TrustPurpose.Intermediary);

        var result = await _pharmacy.ReceiveAsync(Message("SIG-INTERMEDIARY").SignedBy(intermediary, HashAlgorithmName.SHA256, _pki.Intermediate));

        Assert.That(result.Status, Is.EqualTo(PrescriptionStatus.IntermediarySigned), result.Reason);
    }

    [Test]
    public async Task On_a_warm_cache_BouncyCastle_and_the_network_are_not_used_per_message()
    {
        var practitioner = _pki.IssuePractitioner();
        var verifier = _pharmacy.Get<PrescriptionVerifier>();

        var results = new List<PrescriptionStatus>();
        for (var i = 0; i < 20; i++)
        {
            results.Add((await _pharmacy.ReceiveAsync(Message($"SIG-WARM-{i}").SignedBy(practitioner, HashAlgorithmName.SHA256, _pki.Intermediate))).Status);
        }

        Assert.That(results, Is.All.EqualTo(PrescriptionStatus.VerifiedOnReceipt));
        Assert.That((verifier.PathBuilds, verifier.RevocationChecks, _server.Requests), Is.EqualTo((1L, 1L, 2)));
    }

    [Test]
    public async Task A_CRL_near_its_nextUpdate_is_fetched_again_from_its_distribution_point()
    {
        _server.Files["intermediate.crl"] = _pki.Crl(_pki.Intermediate, [], nextUpdate: Now.AddMinutes(30));
        await _pharmacy.ReceiveAsync(Message("SIG-REFRESH").SignedBy(_pki.IssuePractitioner(), HashAlgorithmName.SHA256, _pki.Intermediate));
        _server.Files["intermediate.crl"] = _pki.Crl(_pki.Intermediate, [], number: 2);

        await _pharmacy.Get<SignatureVerification>().RefreshExpiringAsync(CancellationToken.None);

        var stored = await _pharmacy.Get<CrlStore>().ListAsync(CancellationToken.None);
        Assert.That(stored.Where(c => c.Issuer.Contains("Intermediate", StringComparison.Ordinal)).Select(c => c.CrlNumber), Is.EquivalentTo(new[] { "1", "2" }));
    }

    [Test]
    public async Task Verify_catches_a_changed_status_on_a_signed_record_and_a_changed_status_change_row()
    {
        var invalid = await _pharmacy.ReceiveAsync(Message("SIG-TAMPER").SignedBy(_pki.IssuePractitioner(), HashAlgorithmName.SHA1, _pki.Intermediate));
        _server.Available = false;
        var pending = await _pharmacy.ReceiveAsync(Message("SIG-TAMPER-PENDING").SignedBy(_pki.IssuePractitioner(), HashAlgorithmName.SHA256, _pki.Intermediate));
        _server.Available = true;
        await using var fresh = await ReopenAsync();
        await fresh.RecheckAsync();

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_pharmacy.Data.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var tamper = connection.CreateCommand();
            tamper.CommandText = $"""
                DROP TRIGGER prescription_archive_no_update;
                DROP TRIGGER verification_events_no_update;
                UPDATE prescription_archive SET status = 'VerifiedOnReceipt', reason_code = '' WHERE receipt_id = '{invalid.ReceiptId:D}';
                UPDATE verification_events SET status = 'IntermediarySigned' WHERE receipt_id = '{pending.ReceiptId:D}';
                """;
            await tamper.ExecuteNonQueryAsync();
        }
        var report = await fresh.Get<ArchiveVerifier>().VerifyAsync(CancellationToken.None);

        Assert.That(report.Problems.Where(p => p.StartsWith("receipt ", StringComparison.Ordinal)), Is.EquivalentTo(new[]
        {
            $"receipt {invalid.ReceiptId:D}: the receipt signature does not verify: the record was altered after receipt",
            $"receipt {pending.ReceiptId:D}: status change 1 does not verify with its seal: it was altered",
        }));
        // The same two rows also no longer match what the audit chain recorded of them.
        Assert.That(report.Problems, Has.Some.StartsWith($"table prescription_archive row {invalid.ReceiptId:D} does not match"));
        Assert.That(report.Problems, Has.Some.StartsWith("table verification_events row 1 does not match"));
    }

    /// <summary>A second composition over the same data folder: a restarted service, with empty caches and circuits.</summary>
    private Task<VerifyingPharmacy> ReopenAsync() => VerifyingPharmacy.OpenAsync(_pharmacy);
}
