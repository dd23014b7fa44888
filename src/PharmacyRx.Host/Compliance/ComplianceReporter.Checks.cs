using System.Globalization;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Keys;
using PharmacyRx.Core.Verification;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Keys;

namespace PharmacyRx.Host.Compliance;

/// <summary>The live checks, each returning what it saw in words an auditor reads, and what pharmacy IT must do when it does not pass.</summary>
public sealed partial class ComplianceReporter
{
    private const string IncidentAction =
        "Run 'pharmacyrx verify' and treat it as a possible security incident: 1311.215(c) asks the pharmacy to report one that compromised the records to the DEA within one business day.";

    // 1311.205(b)(4)(iii): the key is stored encrypted; its password comes from the environment or a secret file, never configuration.
    private Evidence KeyProtection()
    {
        const string check = "pharmacy key stored encrypted, its password not in configuration";
        var problems = new List<string>();
        var header = File.Exists(data.KeyPath) ? File.ReadLines(data.KeyPath).FirstOrDefault() ?? "" : "";
        if (header != "-----BEGIN ENCRYPTED PRIVATE KEY-----")
        {
            problems.Add(header.StartsWith("-----BEGIN ", StringComparison.Ordinal)
                ? $"the key file {data.KeyPath} is stored unencrypted ({header.Trim('-')})"
                : $"the key file {data.KeyPath} is missing or is not an encrypted PKCS#8 key");
        }
        var sources = ConfigurationValues().ToArray();
        foreach (var (source, key, _) in sources.Where(s => Normalized(s.Key).Contains("keypassword", StringComparison.Ordinal)))
        {
            problems.Add($"the configuration ({source}) sets {key}: the key password must come only from {KeyPasswordSource.VariableName} or {KeyPasswordSource.FileVariableName}");
        }
        var password = KeyPasswordSource.Read(environment, out _);
        if (password is not null)
        {
            try
            {
                foreach (var (source, key, _) in sources.Where(s => s.Value.AsSpan().SequenceEqual(password)))
                {
                    problems.Add($"the configuration ({source}) holds the key password under {key}");
                }
            }
            finally
            {
                Array.Clear(password);
            }
        }
        return problems.Count == 0
            ? new(check, ComplianceStatus.Pass,
                $"{Path.GetFileName(data.KeyPath)} is encrypted PKCS#8 (PBES2, AES-256); no configuration source ({sources.Select(s => s.Source).Distinct().Count()} looked at) holds its password")
            : new(check, ComplianceStatus.Fail, string.Join("; ", problems),
                $"Remove the password from configuration and give it only through {KeyPasswordSource.FileVariableName} (a file only the service user reads) or {KeyPasswordSource.VariableName}; then rotate the key ('pharmacyrx keys rotate'), since the old password was exposed.");
    }

    // Every configured value outside the environment (files, command line, in-memory), with the source's name.
    private IEnumerable<(string Source, string Key, string Value)> ConfigurationValues()
    {
        if (configuration is not IConfigurationRoot root)
        {
            yield break;
        }
        foreach (var provider in root.Providers.Where(p => p is not EnvironmentVariablesConfigurationProvider))
        {
            foreach (var key in Keys(provider, null))
            {
                if (provider.TryGet(key, out var value) && !string.IsNullOrEmpty(value))
                {
                    yield return (provider.ToString() ?? provider.GetType().Name, key, value);
                }
            }
        }
    }

    private static IEnumerable<string> Keys(IConfigurationProvider provider, string? parent)
    {
        foreach (var child in provider.GetChildKeys([], parent).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var path = parent is null ? child : ConfigurationPath.Combine(parent, child);
            yield return path;
            foreach (var below in Keys(provider, path))
            {
                yield return below;
            }
        }
    }

    private static string Normalized(string key) => new([.. key.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);

    // 1311.205(b)(4)(v): within five minutes of NIST time.
    private async Task<Evidence> ClockAsync(bool checkNow, CancellationToken cancellationToken)
    {
        const string check = "clock within 5 minutes of NIST time at the last check";
        var limit = $"{clockOptions.MaxSkew.TotalMinutes:0} minutes";
        if (!clockOptions.Enabled)
        {
            return new(check, ComplianceStatus.Warn, "the clock check is switched off (Clock:Enabled=false)",
                "Turn the clock check on (Clock:Enabled=true) so the service proves its clock is within five minutes of NIST time.");
        }
        var status = clock.Last ?? (checkNow ? await clock.CheckAsync(cancellationToken) : null);
        return status switch
        {
            null => new(check, ComplianceStatus.Warn, "the clock has not been checked yet since the service started"),
            { Skew: null } failed => new(check, ComplianceStatus.Warn,
                $"the clock could not be checked against {failed.Server} at {Instant(failed.CheckedAt)}: {failed.Problem}",
                $"Let this computer reach {failed.Server} on UDP port {clockOptions.Port} (or set Clock:Server to a NIST-traceable server it can reach)."),
            { WithinBounds: false } off => new(check, ComplianceStatus.Fail,
                $"the clock was {off.Skew!.Value.TotalSeconds:0.#} s off {off.Server} at {Instant(off.CheckedAt)}: more than {limit}",
                "Set this computer's clock right and keep it synchronised (NTP); the service audits every check out of bounds."),
            var ok => new(check, ComplianceStatus.Pass,
                $"{ok.Skew!.Value.TotalSeconds:0.###} s off {ok.Server} at {Instant(ok.CheckedAt)} (limit {limit})"),
        };
    }

    // 1311.205(b)(17): backed up daily; the newest backup verifies by the same check as 'backup verify'.
    private async Task<Evidence> BackupsAsync(CancellationToken cancellationToken)
    {
        var check = $"a verified backup within {backup.MaxAge.TotalHours:0} hours and one for each of the last {backup.KeepDays} days";
        const string action = "Keep the service running (it backs up daily at Backup:LocalTime and catches up a missed day at start-up), or run 'pharmacyrx backup run'.";
        var backups = BackupService.List(BackupService.BackupFolder(backup, data));
        if (backups is not [var newest, ..])
        {
            return new(check, ComplianceStatus.Fail, "no backup has been taken yet", action);
        }
        var now = time.GetUtcNow();
        var problems = new List<string>();
        var name = Path.GetFileName(newest.Path);
        var age = now - newest.TakenAt;
        if (age > backup.MaxAge)
        {
            problems.Add($"the newest backup, {name}, is {age.TotalHours:0} hours old");
        }
        problems.AddRange((await VerifyBackupAsync(newest.Path, cancellationToken)).Select(p => $"the newest backup {name} does not verify: {p}"));
        var today = LocalDay(now);
        var installed = await InstalledOnAsync(cancellationToken) ?? today;
        var first = Max(today.AddDays(-backup.KeepDays), installed.AddDays(1));
        var covered = backups.Select(b => LocalDay(b.TakenAt)).ToHashSet();
        var missing = Days(first, today.AddDays(-1)).Where(day => !covered.Contains(day)).ToArray();
        if (missing.Length > 0)
        {
            problems.Add($"no backup for {missing.Length} day(s): {string.Join(", ", missing.Take(10).Select(Day))}{(missing.Length > 10 ? ", …" : "")}");
        }
        var days = Days(first, today.AddDays(-1)).Count();
        return problems.Count == 0
            ? new(check, ComplianceStatus.Pass,
                $"the newest backup, {name}, taken {age.TotalHours:0.#} hours ago, verifies (signed manifest, SHA-256, integrity check); " +
                (days == 0 ? $"installed {Day(installed)}: no earlier day to cover yet" : $"a backup for each of the {days} day(s) since {Day(first)}"))
            : new(check, ComplianceStatus.Fail, string.Join("; ", problems), action);
    }

    // 'backup verify's own check. A backup is not written again once taken: serve's hourly report checks the newest once
    // (hashing gigabytes each hour would compete with ingest), again only if its files' sizes or times change.
    private async Task<IReadOnlyList<string>> VerifyBackupAsync(string path, CancellationToken cancellationToken)
    {
        var stamp = string.Join(";", Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(file => new FileInfo(file)).Select(file => $"{file.FullName}:{file.Length}:{file.LastWriteTimeUtc.Ticks}"));
        if (_lastBackupCheck is { } last && last.Stamp == stamp)
        {
            return last.Problems;
        }
        var problems = await BackupService.VerifyAsync(path, dialect, keys, cancellationToken);
        _lastBackupCheck = new BackupCheck(stamp, problems);
        return problems;
    }

    private sealed record BackupCheck(string Stamp, IReadOnlyList<string> Problems);

    private Evidence SecondFolder()
    {
        const string check = "a second backup folder, outside the data folder";
        if (string.IsNullOrWhiteSpace(backup.SecondFolder))
        {
            return new(check, ComplianceStatus.Warn, "no second backup folder is set (Backup:SecondFolder): every backup is on the same disk as the records",
                "Pharmacy IT: set Backup:SecondFolder to a folder on another disk or a network share, so a backup survives the loss of this computer's disk.");
        }
        var folder = Path.GetFullPath(backup.SecondFolder);
        if (IsInside(folder, data.Root))
        {
            return new(check, ComplianceStatus.Warn, $"the second backup folder {folder} is inside the data folder {data.Root}",
                "Pharmacy IT: point Backup:SecondFolder at a folder on another disk or a network share.");
        }
        if (!Directory.Exists(folder))
        {
            return new(check, ComplianceStatus.Fail, $"the second backup folder {folder} does not exist or cannot be reached",
                "Pharmacy IT: mount or create the second backup folder; the next backup copies itself there.");
        }
        var copies = BackupService.List(folder);
        return new(check, ComplianceStatus.Pass,
            $"Backup:SecondFolder is {folder}; it holds {copies.Count} backup(s){(copies is [var newest, ..] ? $", the newest {Path.GetFileName(newest.Path)}" : "")}");
    }

    // 1311.215(b), 1311.205(b)(15): the trail is analysed every calendar day.
    private async Task<Evidence> AuditReportAsync(CancellationToken cancellationToken)
    {
        const string check = "the audit report of yesterday";
        var yesterday = reports.Yesterday();
        var today = yesterday.AddDays(1);
        var days = reports.Days();
        if (days.Contains(yesterday))
        {
            return new(check, ComplianceStatus.Pass, $"the audit report of {Day(yesterday)} is written ({days.Count} report(s) in {reports.Folder})");
        }
        var installed = await InstalledOnAsync(cancellationToken) ?? today;
        if (installed >= today)
        {
            return new(check, ComplianceStatus.Pass, $"installed {Day(installed)}: no full day to report on yet");
        }
        return new(check, ComplianceStatus.Fail,
            $"the audit report of {Day(yesterday)} is missing; the newest is {(days is [var newest, ..] ? Day(newest) : "none")}",
            $"Keep the service running (it writes the report every day and catches up missed days at start-up), or run 'pharmacyrx audit report --date {Day(yesterday)}'.");
    }

    // 1311.215(c): each flagged event decided within a day; each incident reported by the end of the next business day.
    private async Task<Evidence> SecurityIncidentsAsync(CancellationToken cancellationToken)
    {
        const string check = "security incidents decided and reported";
        var standing = await incidents.ReadAsync(cancellationToken);
        var problems = new List<string>();
        if (standing.Late is { Count: > 0 } late)
        {
            problems.Add($"{late.Count} flagged event(s) undecided for more than a day (from #{late[0].Sequence}, {late[0].Event.Type} at {late[0].Event.OccurredAt:yyyy-MM-dd HH:mm}Z)");
        }
        foreach (var overdue in standing.Overdue)
        {
            problems.Add($"incident {overdue.DecisionId:D} was due to the DEA by the end of {Day(overdue.DueDay)} and is not marked sent");
        }
        return problems.Count > 0
            ? new(check, ComplianceStatus.Fail, string.Join("; ", problems),
                "A person with ReadAudit decides each flagged event (console: Security incidents; or 'pharmacyrx audit decide'), sends each incident's report to the DEA (and the application provider, if any) and marks it sent.")
            : new(check, ComplianceStatus.Pass, standing.Summary());
    }

    // 1311.215(a)(3): a full or failing disk refuses ingest (every message handed back to its sender); such a period is named.
    private async Task<Evidence> IngestRefusalsAsync(CancellationToken cancellationToken)
    {
        const string check = "ingest not refused by a storage fault";
        var periods = await audit.IngestRefusalsAsync(time.GetUtcNow().AddDays(-30), cancellationToken);
        if (periods is [{ Event.Type: AuditEventTypes.IngestRefused } open, ..])
        {
            return new(check, ComplianceStatus.Fail, $"ingest is refused: {open.Event.Details}",
                "Pharmacy IT: free space on the data folder's disk or repair it (docs/operations-faults.md); senders are answered 503 and send again, and nothing is lost meanwhile.");
        }
        var ended = periods.Where(p => p.Event.Type == AuditEventTypes.IngestResumed).Select(p => p.Event.Details).ToArray();
        return ended.Length == 0
            ? new(check, ComplianceStatus.Pass, "ingest was not refused in the last 30 days")
            : new(check, ComplianceStatus.Warn, $"{ended.Length} period(s) in the last 30 days: {string.Join("; ", ended.Take(5))}",
                "Pharmacy IT: find why the disk filled or failed (the free-space thresholds are in docs/operations-faults.md) so it does not happen again.");
    }

    // 1311.205(b)(16), 1311.215(a)(5): verify's own check of the chain, the covered tables and the signed heads.
    private async Task<Evidence> SignedChainAsync(CancellationToken cancellationToken)
    {
        const string check = "audit trail unbroken and its head signed";
        var trail = await verifier.VerifyTrailAsync(cancellationToken);
        if (trail.Problems.Count > 0)
        {
            return new(check, ComplianceStatus.Fail,
                $"{trail.Problems.Count} problem(s) in {trail.AuditEventsChecked} audit events: {string.Join("; ", trail.Problems.Take(5))}{(trail.Problems.Count > 5 ? "; …" : "")}",
                IncidentAction);
        }
        return trail.Truncation.StartsWith("no signed head", StringComparison.Ordinal)
            ? new(check, ComplianceStatus.Warn, $"{trail.AuditEventsChecked} audit events chain unbroken, but {trail.Truncation}",
                "Start the service: it signs the chain head every few minutes and with each daily audit report.")
            : new(check, ComplianceStatus.Pass, $"{trail.AuditEventsChecked} audit events chain unbroken and every covered table matches them; {trail.Truncation}");
    }

    // 1311.210(c): a practitioner's certificate must chain to an authority pharmacy IT trusts.
    private async Task<Evidence> TrustAnchorsAsync(CancellationToken cancellationToken)
    {
        const string check = "trust anchors configured";
        var trusted = await trust.ListAsync(cancellationToken);
        var anchors = trusted.Where(t => t.Purpose == TrustPurpose.Anchor).ToArray();
        if (anchors.Length == 0)
        {
            return new(check, ComplianceStatus.Warn,
                "no certification authority is trusted: a prescription signed by a practitioner cannot be verified and is archived as Invalid",
                "Pharmacy IT: add the certification authorities your prescribers' and intermediaries' certificates chain to, with 'pharmacyrx trust add FILE'.");
        }
        var now = time.GetUtcNow();
        var expired = trusted.Where(t => t.NotAfter < now).Select(t => $"{t.Subject} expired {Day(LocalDay(t.NotAfter))}").ToArray();
        var seen = $"{anchors.Length} authority(ies) and {trusted.Count - anchors.Length} intermediary certificate(s) trusted: {string.Join("; ", trusted.Select(t => t.Subject))}";
        return expired.Length == 0
            ? new(check, ComplianceStatus.Pass, seen)
            : new(check, ComplianceStatus.Warn, $"{seen}; expired: {string.Join("; ", expired)}", "Pharmacy IT: replace the expired certificates ('pharmacyrx trust add', 'trust remove').");
    }

    // 1311.210(c)(2): the same CRL rule a prescription's path is checked with (signed by the issuer, current).
    private async Task<Evidence> CurrentCrlsAsync(CancellationToken cancellationToken)
    {
        const string check = "every trusted issuer has a current CRL";
        await verification.ReloadAsync(cancellationToken);
        var now = time.GetUtcNow();
        var issuers = (await trust.ListAsync(cancellationToken)).Where(t => t.Purpose == TrustPurpose.Anchor).ToArray();
        if (issuers.Length == 0)
        {
            return new(check, ComplianceStatus.Pass, "no issuer is trusted, so no CRL is needed");
        }
        var stale = new List<string>();
        var until = new List<DateTimeOffset>();
        foreach (var issuer in issuers)
        {
            if (crls.CurrentFrom(issuer.Der, now, out var reason) is [_, ..] current)
            {
                until.Add(current.Max(list => list.NextUpdate!.Value));
            }
            else
            {
                stale.Add(reason);
            }
        }
        return stale.Count == 0
            ? new(check, ComplianceStatus.Pass, $"{issuers.Length} trusted issuer(s), each with a current CRL (the first expires {Instant(until.Min())})")
            : new(check, ComplianceStatus.Fail, string.Join("; ", stale),
                "Let the service reach the CRL distribution points, or import a current CRL with 'pharmacyrx crl import FILE'; meanwhile prescriptions from these issuers wait in PendingRevocationCheck.");
    }

    private async Task<Evidence> PendingRecordsAsync(CancellationToken cancellationToken)
    {
        var check = $"no record waits for its revocation check longer than {options.MaxPendingAge.TotalHours:0} hours";
        if (await statusChanges.PendingAsync(null, 1, cancellationToken) is not [var oldest])
        {
            return new(check, ComplianceStatus.Pass, "no record waits for its revocation check");
        }
        var age = time.GetUtcNow() - ReceiptSeal.ParseTimestamp(oldest.ReceivedAt);
        return age <= options.MaxPendingAge
            ? new(check, ComplianceStatus.Pass, $"the oldest record waiting for its revocation check arrived {age.TotalHours:0.#} hours ago")
            : new(check, ComplianceStatus.Fail, $"receipt {oldest.ReceiptId} has waited {age.TotalHours:0} hours for a current CRL (received {oldest.ReceivedAt})",
                "Make a current CRL available (see the CRL check); the record is re-checked automatically and is never accepted unchecked.");
    }

    // 1311.205(b)(1)-(2): by the permission rule the service itself applies (a user's own grants and their roles').
    private async Task<Evidence> UsersAsync(CancellationToken cancellationToken)
    {
        const string check = "every user named, someone able to set access controls, nobody with every permission";
        var users = await access.ListUsersAsync(cancellationToken);
        var problems = new List<string>();
        var managers = new List<string>();
        foreach (var user in users)
        {
            if (string.IsNullOrWhiteSpace(user.FullName))
            {
                problems.Add($"user {user.UserName} has no name");
            }
            if (user.Status != "Active")
            {
                continue;
            }
            var permissions = await access.PermissionsAsync(user.UserName, cancellationToken);
            if (permissions.Contains(Permission.ManageAccess))
            {
                managers.Add(user.UserName);
            }
            if (Enum.GetValues<Permission>().All(permissions.Contains))
            {
                problems.Add($"user {user.UserName} holds every permission: one account can both work prescriptions and change who may");
            }
        }
        if (managers.Count == 0)
        {
            problems.Add("no active account can set access controls (ManageAccess)");
        }
        var seen = $"{users.Count} user(s), each named; {managers.Count} can set access controls ({string.Join(", ", managers)}); none holds every permission";
        // The two-person rule (after 1311.125) off: changes that let someone dispense are made at once, each listed for review.
        var ruleOff = await accessPolicy.ReadAsync(cancellationToken) is { RuleOff: true, RuleSetBy: { } off }
            ? $"the two-person rule is off since {Instant(off.OccurredAt)} ({off.Actor}): access changes that let someone dispense are made at once, each listed in the daily report for review"
            : null;
        if (problems.Count == 0 && ruleOff is not null)
        {
            return new(check, ComplianceStatus.Warn, $"{seen}; {ruleOff}",
                "Pharmacy IT: turn the two-person rule on again (Users page, or 'pharmacyrx users two-person-rule on').");
        }
        if (ruleOff is not null)
        {
            problems.Add(ruleOff);
        }
        return problems.Count == 0
            ? new(check, ComplianceStatus.Pass, seen)
            : new(check, ComplianceStatus.Fail, string.Join("; ", problems),
                "Pharmacy IT: give every account a person's or a service's name, keep at least one active PharmacyAdmin, and split permissions so no account holds them all.");
    }

    // 1311.205(b)(18), 1311.305(b): two years from receipt; the trail says when receipts began.
    private async Task<Evidence> RetentionAsync(CancellationToken cancellationToken)
    {
        const string check = "records kept two years, or every record since installation";
        var now = time.GetUtcNow();
        var installed = (await audit.FirstAsync(AuditEventTypes.Initialized, cancellationToken))?.Event.OccurredAt;
        var firstReceipt = (await audit.FirstAsync(AuditEventTypes.PrescriptionReceived, cancellationToken))?.Event.OccurredAt;
        DateTimeOffset? oldest = await archive.OldestReceivedAtAsync(cancellationToken) is { } text ? ReceiptSeal.ParseTimestamp(text) : null;
        var since = installed is { } at ? $"installed {Day(LocalDay(at))}" : "installation date not in the trail";
        if (oldest is null)
        {
            return firstReceipt is null
                ? new(check, ComplianceStatus.Pass, $"no record received yet ({since})")
                : new(check, ComplianceStatus.Fail, $"the audit trail records receipts since {Instant(firstReceipt.Value)}, but the archive holds no record", IncidentAction);
        }
        if (oldest <= now.AddYears(-2))
        {
            return new(check, ComplianceStatus.Pass, $"the oldest record kept was received {Instant(oldest.Value)}, more than two years ago");
        }
        // A receipt's audit event carries the receipt's own time (written in one transaction with the record).
        if (firstReceipt is null || oldest <= firstReceipt.Value)
        {
            return new(check, ComplianceStatus.Pass, $"every record since the first receipt is kept ({since}; the oldest kept was received {Instant(oldest.Value)})");
        }
        return new(check, ComplianceStatus.Fail,
            $"the oldest record kept was received {Instant(oldest.Value)}, but the audit trail records receipts since {Instant(firstReceipt.Value)}: records younger than two years are missing",
            "Restore the missing records from a backup ('pharmacyrx backup restore') and treat it as a possible security incident (1311.215(c)).");
    }

    private Evidence FileModes()
    {
        const string check = "files in the data folder are the service user's alone";
        var loose = OwnerOnlyFiles.FindLoose(data.Root);
        return loose.Count == 0
            ? new(check, ComplianceStatus.Pass, $"every file and folder in {data.Root} is the service user's alone (files 0600, folders 0700)")
            : new(check, ComplianceStatus.Fail, $"{string.Join("; ", loose.Take(10))}{(loose.Count > 10 ? $"; and {loose.Count - 10} more" : "")}",
                "Make them the service user's alone again (chmod 600 for files, 700 for folders) and find what loosened them: anyone else on this computer can read the prescriptions.");
    }

    private Evidence PinOutside()
    {
        const string check = "the key history's pin is held outside the data folder";
        if (keys.Problems.Count > 0)
        {
            return new(check, ComplianceStatus.Fail, $"the pharmacy's key history does not hold: {string.Join("; ", keys.Problems)}", IncidentAction);
        }
        if (!keys.IsPinned || PharmacyKeyHistory.SecondFolderCopy(backup.SecondFolder) is not { } copy || IsInside(Path.GetFullPath(copy), data.Root))
        {
            return new(check, ComplianceStatus.Warn,
                "nothing outside the data folder pins the pharmacy's key history: someone with the data folder could replace the pharmacy's certificates",
                "Pharmacy IT: set Backup:SecondFolder (init and the next backup copy the key history there), and keep the pin printed by init somewhere outside this computer for 'verify --pin'.");
        }
        return new(check, ComplianceStatus.Pass, $"the key history is pinned by its copy {copy} (pin {keys.Pin})");
    }

    private async Task<DateOnly?> InstalledOnAsync(CancellationToken cancellationToken) =>
        (await audit.FirstAsync(AuditEventTypes.Initialized, cancellationToken))?.Event.OccurredAt is { } at ? LocalDay(at) : null;

    private DateOnly LocalDay(DateTimeOffset instant) => reports.LocalDay(instant);

    private static IEnumerable<DateOnly> Days(DateOnly first, DateOnly last)
    {
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            yield return day;
        }
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Instant(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static bool IsInside(string path, string folder)
    {
        var relative = Path.GetRelativePath(folder, path);
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative));
    }
}
