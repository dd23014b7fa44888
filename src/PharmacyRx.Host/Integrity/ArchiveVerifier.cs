using System.Security.Cryptography;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Signing;
using PharmacyRx.Host.Keys;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Integrity;
using PharmacyRx.Storage.Verification;

namespace PharmacyRx.Host.Integrity;

/// <summary>
/// Re-checks every archived record against its receipt signature and its own as-received bytes, and the audit
/// trail's hash chain. "If the record in the pharmacy database does not match the digitally signed record as
/// received, the prescription was altered after receipt" (75 FR 16236). Status changes after receipt are checked
/// against their own seals. Every covered table is recomputed against the chain and the signed heads are checked
/// (<see cref="CoverageVerifier"/>, <see cref="HeadVerifier"/>).
/// </summary>
public sealed class ArchiveVerifier(
    ArchiveQueries archive, VerificationEventStore statusChanges, AuditLog audit, ScriptMessageReader reader, PharmacyKeyHistory keys,
    Database database, ChainHeads heads)
{
    /// <summary>What was checked, what does not hold, and (Truncation) up to which signed head the trail is proven complete.</summary>
    public sealed record Report(long RecordsChecked, long AuditEventsChecked, IReadOnlyList<string> Problems, string Truncation = "")
    {
        /// <summary>What verify says without failing: the heads of other instances it cannot see.</summary>
        public IReadOnlyList<string> Warnings { get; init; } = [];

        /// <summary>Which events were checked against the chain key: from which sequence on, or why none were.</summary>
        public string Keyed { get; init; } = "";

        public bool AllHold => Problems.Count == 0;
    }

    public async Task<Report> VerifyAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        long records = 0;
        await foreach (var record in archive.ReadAllAsync(cancellationToken))
        {
            records++;
            problems.AddRange(Check(record).Select(problem => $"receipt {record.ReceiptId}: {problem}"));
        }
        await foreach (var change in statusChanges.ReadAllAsync(cancellationToken))
        {
            if (keys.CertificateFor(change.SignerThumbprint) is not { } certificate)
            {
                problems.Add($"receipt {change.ReceiptId}: status change {change.Id} is sealed by {change.SignerThumbprint}, which is not in the pharmacy's key history");
            }
            else if (!Guid.TryParse(change.ReceiptId, out var receiptId)
                || !ReceiptSeal.TryParseTimestamp(change.OccurredAt, out var occurredAt)
                || !PharmacySigningKey.Verify(certificate,
                    ReceiptSeal.StatusChangeContent(receiptId, occurredAt, change.Status, change.ReasonCode, change.Reason), change.Seal))
            {
                problems.Add($"receipt {change.ReceiptId}: status change {change.Id} does not verify with its seal: it was altered");
            }
        }

        var trail = await VerifyTrailAsync(cancellationToken);
        return new Report(records, trail.AuditEventsChecked, [.. problems, .. trail.Problems], trail.Truncation) { Warnings = trail.Warnings, Keyed = trail.Keyed };
    }

    /// <summary>
    /// The audit trail alone (1311.205(b)(16), 1311.215(a)(5)): its hash chain, every covered table against what the chain
    /// recorded of it, and the signed heads. Records is zero.
    /// </summary>
    public async Task<Report> VerifyTrailAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        // Streamed: years of audit events are never held in memory at once.
        long events = 0;
        var walker = new AuditChain.Walker(database.ChainKeys);
        var coverage = new CoverageVerifier(database);
        var (own, outside) = (heads.Read(), heads.ReadOutside());
        var signedHeads = new HeadVerifier(own, heads.PathOf, outside, heads.Instance);
        await foreach (var stored in audit.ReadAllAsync(cancellationToken))
        {
            events++;
            problems.AddRange(walker.Next(stored));
            // Every stored event is held against the signed heads; one the service did not write records no row.
            signedHeads.Observe(stored);
            if (!walker.LastWasForeign)
            {
                coverage.Observe(stored);
            }
        }
        problems.AddRange(await coverage.CheckTablesAsync(cancellationToken));
        problems.AddRange(signedHeads.Problems());
        // SQL Server: the database against the ledger digest of every signed head the chain still holds, and one taken now
        // (none on SQLite). A head the chain no longer holds (a restore to an earlier moment) is a finding of its own above;
        // its digest names blocks the restored database never had, and would make every later check fail.
        string[] digests = [.. signedHeads.Holding().Select(head => head.LedgerDigest)
            .Append(await database.Dialect.LedgerDigestAsync(cancellationToken)).OfType<string>().Distinct(StringComparer.Ordinal)];
        problems.AddRange(await database.Dialect.VerifyLedgerAsync(digests, cancellationToken));
        var keyed = database.ChainKeys is null
            ? "event MACs not checked: the key password was not given"
            : walker.KeyedFrom is { } from
                ? $"events from sequence {from} on are keyed; their MACs checked under chain key {string.Join(", ", database.ChainKeys.Ids)}"
                : "the chain holds no keyed event yet";
        return new Report(0, events, problems, signedHeads.Truncation()) { Warnings = [.. signedHeads.Warnings()], Keyed = keyed };
    }

    private IEnumerable<string> Check(ArchivedRecord record)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(record.AsReceived));
        if (sha256 != record.AsReceivedSha256)
        {
            yield return "the as-received bytes were altered (their SHA-256 no longer matches)";
        }

        var read = reader.Reread(record);
        // The signed elements are always derived from the as-received bytes, never stored beside them.
        var canonical = read.Message is { } message ? SignedElements.Format(message.Elements) : "";
        foreach (var column in AlteredColumns(record, read))
        {
            yield return $"column {column} differs from the as-received message";
        }

        // 1311.210(a)(2): only the pharmacy's own key seals a record; a certificate merely copied into keys/ counts for nothing.
        if (keys.CertificateFor(record.SignerThumbprint) is not { } certificate)
        {
            yield return $"the receipt seal's certificate {record.SignerThumbprint} is not in the pharmacy's key history";
        }
        else if (!Guid.TryParse(record.ReceiptId, out var receiptId)
            || !ReceiptSeal.TryParseTimestamp(record.ReceivedAt, out var receivedAt)
            || !PharmacySigningKey.Verify(certificate, ReceiptSeal.Content(receiptId, receivedAt, sha256, record.Status, record.ReasonCode, canonical), record.ReceiptSignature))
        {
            yield return "the receipt signature does not verify: the record was altered after receipt";
        }
    }

    // The derived columns must be what the as-received message says. Status and reason are re-decided except for a
    // CancelRx, whose outcome also depended on what the archive held when it arrived, and a signed prescription, whose
    // outcome depended on the trust and CRLs of its day; both statuses are under the receipt seal.
    private static IEnumerable<string> AlteredColumns(ArchivedRecord record, ReadResult read)
    {
        var elements = read.Message?.Elements ?? new DeaElements();
        var expected = new (string Column, string? Stored, string Derived)[]
        {
            ("message_id", record.MessageId ?? "", read.PartialMessageId),
            ("transaction_kind", record.TransactionKind ?? "", read.Message?.Kind.ToString() ?? ""),
            ("dea_schedule", record.DeaSchedule, elements.DeaScheduleCode),
            ("prescriber_dea_number", record.PrescriberDeaNumber, elements.PrescriberDeaNumber),
            ("prescriber_name", record.PrescriberName, elements.PrescriberDisplayName),
            ("patient_name", record.PatientName, elements.PatientDisplayName),
            ("drug_description", record.DrugDescription, elements.DrugDescription),
            ("written_date", record.WrittenDate, elements.WrittenDate),
        };
        foreach (var (column, stored, derived) in expected)
        {
            if (stored != derived)
            {
                yield return column;
            }
        }
        var decision = ReceiptDecision.Decide(read);
        if (read.Message?.Kind is not TransactionKind.CancelRx && decision.ReasonCode != ReceiptDecision.PendingVerification
            && !ReceiptDecision.DependsOnReceiptContext(record.ReasonCode, record.Reason)
            && !ReceiptDecision.IsEarlierNotControlledDecision(read, record.Status, record.ReasonCode, record.Reason))
        {
            if (record.Status != decision.Status.ToString() || record.ReasonCode != decision.ReasonCode || record.Reason != decision.Reason)
            {
                yield return "status";
            }
        }
    }
}
