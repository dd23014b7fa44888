using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Keys;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Integrity;
using PharmacyRx.Storage.Verification;

namespace PharmacyRx.Host.Integrity;

/// <summary>
/// Re-checks archived records against seals and as-received bytes (a mismatch means "the prescription was altered after
/// receipt", 75 FR 16236), status changes against theirs, the audit chain, covered tables
/// (<see cref="CoverageVerifier"/>) and signed heads (<see cref="HeadVerifier"/>). Streamed; seals use every core.
/// </summary>
public sealed partial class ArchiveVerifier(
    ArchiveQueries archive, VerificationEventStore statusChanges, AuditLog audit, ScriptMessageReader reader, PharmacyKeyHistory keys,
    Database database, ChainHeads heads)
{
    /// <summary>What was checked, what does not hold, and (Truncation) up to which signed head the trail is proven complete.</summary>
    public sealed record Report(long RecordsChecked, long AuditEventsChecked, IReadOnlyList<string> Problems, string Truncation = "")
    {
        /// <summary>What verify says without failing: the heads of other instances it cannot see.</summary>
        public IReadOnlyList<string> Warnings { get; init; } = [];

        /// <summary>The newest signed head that holds, when every check passed: what a later <c>--since-head</c> run starts from.</summary>
        public long? ProvenHead { get; init; }

        /// <summary>For a <c>--since-head</c> run, the head it started after; null for a full run.</summary>
        public long? SinceHead { get; init; }

        /// <summary>What the run checked, as a sentence.</summary>
        public string Scope { get; init; } = "";

        /// <summary>Which events were checked against the chain key: from which sequence on, or why none were.</summary>
        public string Keyed { get; init; } = "";

        public bool AllHold => Problems.Count == 0;
    }

    /// <summary>The details a full run that proved <paramref name="head"/> adds to its <c>ArchiveVerified</c> event.</summary>
    public static string ProofDetails(long head) => $"mode=full; provenHead={head.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    public Task<Report> VerifyAsync(CancellationToken cancellationToken) => VerifyAsync(new VerifyProgress(), sinceHead: false, cancellationToken);

    /// <summary>
    /// The full run, or (<paramref name="sinceHead"/>) only what the chain recorded after the head the last full run proved;
    /// a full run when none did.
    /// </summary>
    public async Task<Report> VerifyAsync(VerifyProgress progress, bool sinceHead, CancellationToken cancellationToken)
    {
        var since = sinceHead ? await LastProvenHeadAsync(cancellationToken) : null;
        var (head, _) = await audit.HeadAsync(cancellationToken);
        progress.Totals(since is null ? await archive.CountAsync(cancellationToken) : 0, head - (since ?? 0));
        if (since is null)
        {
            // The records and the trail at once: the trail's walk is one thread, the seals take every core.
            var records = Task.Run(() => CheckRecordsAsync(archive.ReadAsReceivedAsync(cancellationToken), progress, cancellationToken), cancellationToken);
            var changes = CheckStatusChangesAsync(statusChanges.ReadAllAsync(cancellationToken), cancellationToken);
            var (trail, coverage) = await WalkAsync(null, progress, cancellationToken);
            coverage.Dispose();
            var (recordProblems, count) = await records;
            return trail with
            {
                RecordsChecked = count,
                Problems = [.. recordProblems, .. await changes, .. trail.Problems],
                ProvenHead = trail.AllHold && recordProblems.Count == 0 ? trail.ProvenHead : null,
                Scope = sinceHead
                    ? "full run: no full run has proved a signed head yet, so --since-head checked everything"
                    : "full run: every record, status change, covered row, audit event and signed head",
            };
        }
        var (window, recorded) = await WalkAsync(since, progress, cancellationToken);
        using (recorded)
        {
            var table = CoveredTables.Find("prescription_archive")!;
            var (recordProblems, count) = await CheckRecordsAsync(
                archive.ReadAsReceivedAsync(recorded.RecordedKeysAsync(table, cancellationToken), cancellationToken), progress, cancellationToken);
            var changeProblems = await CheckStatusChangesAsync(
                statusChanges.FindAsync(recorded.RecordedKeysAsync(CoveredTables.Find("verification_events")!, cancellationToken), cancellationToken), cancellationToken);
            return window with
            {
                RecordsChecked = count,
                Problems = [.. recordProblems, .. changeProblems, .. window.Problems],
                ProvenHead = null,
                SinceHead = since,
                Scope = $"since head {since}: only the audit events after it, the rows and records they recorded, and the heads signed since " +
                    "(the last full run proved everything up to it)",
            };
        }
    }

    /// <summary>
    /// The audit trail alone (1311.205(b)(16), 1311.215(a)(5)): its hash chain, every covered table against what the chain
    /// recorded of it, and the signed heads. Records is zero.
    /// </summary>
    public async Task<Report> VerifyTrailAsync(CancellationToken cancellationToken)
    {
        var (trail, coverage) = await WalkAsync(null, new VerifyProgress(), cancellationToken);
        coverage.Dispose();
        return trail;
    }

    // Streamed: years of audit events are never held in memory at once. After a proven head, from the event after it.
    private async Task<(Report Trail, CoverageVerifier Coverage)> WalkAsync(long? since, VerifyProgress progress, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        long events = 0;
        var walker = new AuditChain.Walker(database.ChainKeys);
        var (own, outside) = (heads.Read(), heads.ReadOutside());
        if (since is { } after)
        {
            // Heads before the proven one are its to vouch for; a run from it checks only those since.
            (own, outside) = ([.. own.Where(f => f.Sequence >= after)], [.. outside.Where(f => f.Sequence >= after)]);
        }
        var signedHeads = new HeadVerifier(own, heads.PathOf, outside, heads.Instance);
        await using var connection = await database.OpenAsync(cancellationToken);
        var coverage = new CoverageVerifier(database, connection, null, window: since is not null);
        try
        {
            if (since is { } proven)
            {
                problems.AddRange(await AnchorAsync(connection, proven, walker, signedHeads, own.Concat(outside), cancellationToken));
            }
            await foreach (var stored in AuditLog.ReadAfterAsync(connection, null, since ?? 0, cancellationToken))
            {
                events++;
                problems.AddRange(walker.Next(stored));
                // Every stored event is held against the signed heads; one the service did not write records no row.
                if (!walker.LastWasForeign)
                {
                    await coverage.ObserveAsync(stored, cancellationToken);
                }
                signedHeads.Observe(stored);
                progress.AuditEventChecked();
            }
            problems.AddRange(await coverage.CheckTablesAsync(cancellationToken));
        }
        catch
        {
            coverage.Dispose();
            throw;
        }
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
        return (new Report(0, events, problems, signedHeads.Truncation())
        {
            Warnings = [.. signedHeads.Warnings()],
            Keyed = keyed,
            ProvenHead = problems.Count == 0 ? signedHeads.Holding().MaxBy(head => head.Sequence)?.Sequence : null,
        }, coverage);
    }

    // The proven head's event starts the walk: the full run checked its links, and its hash must still be the signed head's.
    private static async Task<IEnumerable<string>> AnchorAsync(
        System.Data.Common.DbConnection connection, long proven, AuditChain.Walker walker, HeadVerifier signedHeads,
        IEnumerable<ChainHeads.HeadFile> files, CancellationToken cancellationToken)
    {
        if (await AuditLog.ReadAsync(connection, null, proven, cancellationToken) is not { } anchor)
        {
            return [$"audit event {proven}, the signed head the last full verify proved, is gone: the trail was truncated; run a full verify"];
        }
        // Its breaks are those of an event taken out of the middle of the chain (no predecessor seen), not findings.
        _ = walker.Next(anchor).ToArray();
        signedHeads.Observe(anchor);
        if (!files.Any(file => file.Sequence == proven && file.Head is not null))
        {
            return [$"signed head {proven}, which the last full verify proved, has no valid head file: run a full verify"];
        }
        return AuditChain.Hash(anchor.Sequence, anchor.Event, anchor.PreviousHash) != anchor.Hash
            ? [$"audit event {proven} was altered: its hash does not match its fields"]
            : [];
    }

    private async Task<long?> LastProvenHeadAsync(CancellationToken cancellationToken)
    {
        await foreach (var run in audit.ReadNewestFirstAsync(AuditEventTypes.ArchiveVerified, cancellationToken))
        {
            // Only a run the service recorded counts: a forged ArchiveVerified event (no MAC) proves nothing, and without the
            // key password nothing can be told apart, so the run is in full.
            if (run.Event.Outcome == AuditOutcome.Success && audit.ChainKeys is { } keys && keys.Holds(run.Hash, run.Mac)
                && AuditChain.Hash(run.Sequence, run.Event, run.PreviousHash) == run.Hash
                && Proof().Match(run.Event.Details) is { Success: true } match)
            {
                return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    private async Task<(IReadOnlyList<string> Problems, long Count)> CheckRecordsAsync(
        IAsyncEnumerable<ArchivedRecord> records, VerifyProgress progress, CancellationToken cancellationToken)
    {
        long count = 0;
        var problems = await ParallelChecks.RunAsync(records,
            (record, keyCache) => Check(record, keyCache).Select(problem => $"receipt {record.ReceiptId}: {problem}").ToArray(),
            () =>
            {
                Interlocked.Increment(ref count);
                progress.RecordChecked();
            },
            cancellationToken);
        return (problems, count);
    }

    private Task<IReadOnlyList<string>> CheckStatusChangesAsync(IAsyncEnumerable<VerificationEventStore.StatusChange> changes, CancellationToken cancellationToken) =>
        ParallelChecks.RunAsync(changes, (change, keyCache) => Check(change, keyCache), () => { }, cancellationToken);

    private IEnumerable<string> Check(VerificationEventStore.StatusChange change, Dictionary<string, ECDsa?> keyCache)
    {
        if (PublicKey(change.SignerThumbprint, keyCache) is not { } key)
        {
            yield return $"receipt {change.ReceiptId}: status change {change.Id} is sealed by {change.SignerThumbprint}, which is not in the pharmacy's key history";
        }
        else if (!Guid.TryParse(change.ReceiptId, out var receiptId)
            || !ReceiptSeal.TryParseTimestamp(change.OccurredAt, out var occurredAt)
            || !PharmacySigningKey.Verify(key,
                ReceiptSeal.StatusChangeContent(receiptId, occurredAt, change.Status, change.ReasonCode, change.Reason), change.Seal))
        {
            yield return $"receipt {change.ReceiptId}: status change {change.Id} does not verify with its seal: it was altered";
        }
        else if (OutsideValidity(change.SignerThumbprint, occurredAt) is { } outside)
        {
            yield return $"receipt {change.ReceiptId}: status change {change.Id} was sealed {outside}";
        }
    }

    // Each history certificate's validity, read once: a seal dated outside it was not made by the pharmacy in its day.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTimeOffset NotBefore, DateTimeOffset NotAfter)?> _validity =
        new(StringComparer.Ordinal);

    /// <summary>
    /// Null when <paramref name="sealedAt"/> is within the certificate's validity; otherwise the finding's words. A seal
    /// made after its certificate expired, or before it began, is not one the pharmacy could make then (1311.210(a)(2)).
    /// </summary>
    private string? OutsideValidity(string thumbprint, DateTimeOffset sealedAt)
    {
        var validity = _validity.GetOrAdd(thumbprint, t => keys.CertificateFor(t) is { } certificate
            ? (new DateTimeOffset(certificate.NotBefore.ToUniversalTime()), new DateTimeOffset(certificate.NotAfter.ToUniversalTime()))
            : null);
        return validity is { } window && (sealedAt < window.NotBefore || sealedAt > window.NotAfter)
            ? $"at {ReceiptSeal.FormatTimestamp(sealedAt)}, outside its certificate's validity ({ReceiptSeal.FormatTimestamp(window.NotBefore)} to {ReceiptSeal.FormatTimestamp(window.NotAfter)})"
            : null;
    }

    // 1311.210(a)(2): only the pharmacy's own key seals a record; a certificate merely copied into keys/ counts for nothing.
    private ECDsa? PublicKey(string thumbprint, Dictionary<string, ECDsa?> keyCache)
    {
        if (!keyCache.TryGetValue(thumbprint, out var key))
        {
            keyCache[thumbprint] = key = keys.CertificateFor(thumbprint)?.GetECDsaPublicKey();
        }
        return key;
    }

    private IEnumerable<string> Check(ArchivedRecord record, Dictionary<string, ECDsa?> keyCache)
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

        if (PublicKey(record.SignerThumbprint, keyCache) is not { } key)
        {
            yield return $"the receipt seal's certificate {record.SignerThumbprint} is not in the pharmacy's key history";
        }
        else if (!Guid.TryParse(record.ReceiptId, out var receiptId)
            || !ReceiptSeal.TryParseTimestamp(record.ReceivedAt, out var receivedAt)
            || !PharmacySigningKey.Verify(key, ReceiptSeal.Content(receiptId, receivedAt, sha256, record.Status, record.ReasonCode, canonical), record.ReceiptSignature))
        {
            yield return "the receipt signature does not verify: the record was altered after receipt";
        }
        else if (OutsideValidity(record.SignerThumbprint, receivedAt) is { } outside)
        {
            yield return $"the receipt seal was made {outside}";
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

    [System.Text.RegularExpressions.GeneratedRegex(@"(?:^|; )mode=full; provenHead=(\d+)(?:;|$)")]
    private static partial System.Text.RegularExpressions.Regex Proof();
}
