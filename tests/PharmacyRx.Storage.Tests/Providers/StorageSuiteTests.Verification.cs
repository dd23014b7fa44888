using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Verification;
using PharmacyRx.Storage.Verification;

namespace PharmacyRx.Storage.Tests.Providers;

// Trust, CRLs and status changes after receipt (1311.210(c)).
public partial class StorageSuiteTests
{
    [Test]
    public async Task Trusted_certificates_are_added_once_listed_by_subject_and_removed()
    {
        var trust = new TrustStore(_store.Database, TimeProvider.System);
        var (root, intermediate) = (ProviderStore.Certificates[0], ProviderStore.Certificates[1]);

        var added = await trust.AddAsync(root, "admin", default) && await trust.AddAsync(intermediate, "admin", default);
        var again = await trust.AddAsync(root with { Subject = "CN=Someone Else" }, "admin", default);
        var listed = await trust.ListAsync(default);
        var removed = await trust.RemoveAsync(intermediate.Thumbprint, "admin", default);
        var removedAgain = await trust.RemoveAsync(intermediate.Thumbprint, "admin", default);
        var left = await trust.ListAsync(default);

        Assert.That((added, again, removed, removedAgain), Is.EqualTo((true, false, true, false)));
        Assert.That(listed.Select(c => $"{c.Subject} {c.Purpose} {c.NotAfter:yyyy-MM-dd}"), Is.EqualTo(new[]
        {
            $"{intermediate.Subject} Intermediary {intermediate.NotAfter:yyyy-MM-dd}", $"{root.Subject} Anchor {root.NotAfter:yyyy-MM-dd}",
        }), "by subject: Suite Intermediate before Suite Root");
        Assert.That(listed[1].Der, Is.EqualTo(root.Der));
        Assert.That(left.Select(c => c.Thumbprint), Is.EqualTo(new[] { root.Thumbprint }));
    }

    [Test]
    public async Task Every_CRL_is_kept_once_and_the_two_newest_of_each_issuer_are_loaded()
    {
        var crls = new CrlStore(_store.Database, TimeProvider.System);
        var stored = new List<bool>();
        var oldest = ProviderStore.Crl(number: 1, hoursAgo: 30);
        foreach (var crl in new[] { oldest, ProviderStore.Crl(number: 2, hoursAgo: 20), ProviderStore.Crl(number: 3, hoursAgo: 10),
            ProviderStore.Crl(intermediate: true, number: 1, hoursAgo: 5), oldest })
        {
            stored.Add(await crls.AddAsync(crl, "test", default));
        }

        var listed = await crls.ListAsync(default);
        var recent = await crls.ReadRecentAsync(default);

        Assert.That(stored, Is.EqualTo(new[] { true, true, true, true, false }), "the same CRL twice is one");
        Assert.That(listed.Select(c => $"{c.Issuer} #{c.CrlNumber}"), Is.EqualTo(new[]
        {
            "CN=Suite Intermediate CA #1", "CN=Suite Root CA #3", "CN=Suite Root CA #2", "CN=Suite Root CA #1",
        }), "by issuer, newest first");
        Assert.That(recent.Select(r => r.Source).Order(), Is.EqualTo(new[] { "test-intermediate-1", "test-root-2", "test-root-3" }));
    }

    [Test]
    public async Task A_pending_record_stays_pending_until_a_sealed_status_change_is_recorded()
    {
        var pending = new ReceiptDecision(PrescriptionStatus.PendingRevocationCheck, "CrlUnavailable", "synthetic", []);
        var receipts = new List<Guid>();
        await using (var writer = _store.Writer())
        {
            var at = DateTimeOffset.UtcNow.AddHours(-1);
            foreach (var (name, decision) in new[] { ("first", pending), ("resolved", pending), ("third", pending), ("verified", ProviderStore.Verified) })
            {
                var entry = ProviderStore.Entry($"PENDING-{name}") with { Decision = decision, ReceivedAt = at = at.AddMinutes(1) };
                await writer.AppendAsync(entry, default);
                receipts.Add(entry.ReceiptId);
            }
        }
        var events = new VerificationEventStore(_store.Database);

        await events.RecordAsync(receipts[1], PrescriptionStatus.PendingRevocationCheck, new VerificationVerdict(PrescriptionStatus.VerifiedOnReceipt, "", "CRL fetched"),
            DateTimeOffset.UtcNow, [7, 7, 7], "PHARMACY-KEY", "system:crl", default);
        var stillPending = await events.PendingAsync(null, 10, default);
        var afterFirst = await events.PendingAsync(stillPending[0], 10, default);
        var history = await events.HistoryAsync(receipts[1], default);

        Assert.That(stillPending.Select(r => r.ReceiptId), Is.EqualTo(new[] { receipts[0].ToString("D"), receipts[2].ToString("D") }));
        Assert.That(afterFirst.Select(r => r.ReceiptId), Is.EqualTo(new[] { receipts[2].ToString("D") }), "keyset paging after the first");
        Assert.That(history.Select(h => (h.Status, h.Reason, h.Seal, h.SignerThumbprint)),
            Is.EqualTo(new[] { ("VerifiedOnReceipt", "CRL fetched", new byte[] { 7, 7, 7 }, "PHARMACY-KEY") }));
        Assert.That(await events.ReadAllAsync(default).Select(h => h.ReceiptId).ToListAsync(), Is.EqualTo(new[] { receipts[1].ToString("D") }));
    }
}
