using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Keys;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Backup;

/// <summary>
/// The daily backup (1311.205(b)(17)): an online database copy, integrity-checked and hashed, with the encrypted key
/// files and a manifest signed by the pharmacy key (under a temporary name until signed), copied on by
/// <see cref="SecondFolderCopies"/> (a failed copy is retried, never a failed backup), pruned, audited.
/// </summary>
public sealed partial class BackupService(
    ISqlDialect dialect, AuditLog audit, PharmacySigningKey signingKey, DataFolder data, BackupOptions options, PharmacyClock clock,
    SecondFolderCopies secondFolder, ILogger<BackupService> logger)
{
    public const string Actor = "system:backup";
    private const string Prefix = "pharmacyrx-";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Folder => BackupFolder(options, data);

    public static string BackupFolder(BackupOptions options, DataFolder data) =>
        string.IsNullOrWhiteSpace(options.Folder) ? Path.Combine(data.Root, "backups") : options.Folder;

    /// <summary>Takes a backup now; returns its database file's path. A failure is audited and rethrown.</summary>
    public async Task<string> RunAsync(string actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var name = Prefix + now.UtcDateTime.ToString("yyyy-MM-dd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        var final = Path.Combine(Folder, name);
        // Written under a temporary name and renamed once its manifest is signed: a run cut short leaves no backup-looking
        // folder, and the next run clears what it left.
        var target = Path.Combine(Folder, SecondFolderCopies.PartialPrefix + name);
        try
        {
            // 1311.205(b)(5): a backup holds the same health data as the database: the service user's alone.
            OwnerOnlyFiles.CreateFolder(Folder);
            SecondFolderCopies.ClearPartial(Folder);
            OwnerOnlyFiles.CreateFolder(target);
            // SQLite: the copy itself; SQL Server: where the server wrote its BACKUP DATABASE (Backup:ServerFolder), verified.
            var database = Path.Combine(target, dialect.BackupFileName);
            OwnerOnlyFiles.WriteNew(database, []);
            var integrity = await dialect.BackupAsync(database, cancellationToken);
            if (integrity != "ok")
            {
                throw new InvalidDataException($"the copy failed its integrity check: {integrity}");
            }
            var keys = Path.Combine(target, "keys");
            OwnerOnlyFiles.CreateFolder(keys);
            foreach (var file in Directory.EnumerateFiles(data.KeysFolder))
            {
                await OwnerOnlyFiles.CopyAsync(file, Path.Combine(keys, Path.GetFileName(file)), cancellationToken);
            }
            var keyHashes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(keys).Order(StringComparer.Ordinal))
            {
                keyHashes["keys/" + Path.GetFileName(file)] = await Sha256Async(file, cancellationToken);
            }
            var head = await audit.HeadAsync(cancellationToken);
            // The signed chain heads go with the database: its trail records each one, so a restore without them is a finding.
            foreach (var (file, relative) in await Integrity.ChainHeads.CopyUpToAsync(Path.Combine(data.Root, "heads"), target, head.Sequence))
            {
                keyHashes[relative] = await Sha256Async(file, cancellationToken);
            }
            var manifest = new BackupManifest(
                dialect.BackupFileName, await Sha256Async(database, cancellationToken), new FileInfo(database).Length, integrity, keyHashes,
                now, head.Sequence, head.Hash, signingKey.Thumbprint);
            var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, Json);
            OwnerOnlyFiles.WriteNew(Path.Combine(target, "manifest.json"), manifestBytes);
            OwnerOnlyFiles.WriteNew(Path.Combine(target, "manifest.sig"), signingKey.Sign(manifestBytes));
            Directory.Move(target, final);
            target = final;
            // The second folder unreachable or full never fails the backup: audited once here, shown in health, retried.
            var notCopied = await secondFolder.CopyMissingAsync(cancellationToken);
            if (notCopied.Count > 0)
            {
                await audit.AppendAsync([new AuditEvent(clock.GetUtcNow(), AuditEventTypes.SecondFolderCopyFailed, actor, AuditOutcome.Failure,
                    "Backup:SecondFolder", $"{notCopied.Count} copies not written, retried every {options.SecondFolderRetry}: {string.Join("; ", notCopied.Take(5))}")],
                    cancellationToken);
            }
            else
            {
                await KeepHistoryCopyAsync(cancellationToken);
            }
            var pruned = Prune(now);
            await audit.AppendAsync([new AuditEvent(clock.GetUtcNow(), AuditEventTypes.BackupCompleted, actor, AuditOutcome.Success, name,
                $"sha256={manifest.DatabaseSha256}; bytes={manifest.DatabaseBytes}; auditSequence={head.Sequence}; pruned={pruned}")], cancellationToken);
            LogCompleted(logger, name, manifest.DatabaseBytes);
            return target;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            LogFailed(logger, ex, name);
            TryDelete(target);
            await audit.AppendAsync([new AuditEvent(clock.GetUtcNow(), AuditEventTypes.BackupFailed, actor, AuditOutcome.Failure, name, ex.Message)],
                CancellationToken.None);
            throw;
        }
    }

    private static void TryDelete(string partial)
    {
        try
        {
            if (Path.GetFileName(partial).StartsWith(SecondFolderCopies.PartialPrefix, StringComparison.Ordinal) && Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next run, which clears it.
        }
    }

    /// <summary>Every backup in the folder, newest first, with when it was taken.</summary>
    public IReadOnlyList<(string Path, DateTimeOffset TakenAt)> List() => List(Folder);

    /// <summary>Every backup in <paramref name="folder"/>, newest first, with when it was taken (no key needed to list them).</summary>
    public static IReadOnlyList<(string Path, DateTimeOffset TakenAt)> List(string folder) => !Directory.Exists(folder) ? [] : Directory.EnumerateDirectories(folder, Prefix + "*")
        .Select(path => (path, TakenAt: DateTimeOffset.TryParseExact(Path.GetFileName(path)[Prefix.Length..], "yyyy-MM-dd'T'HHmmssfff'Z'",
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null))
        .Where(b => b.TakenAt is not null && File.Exists(Path.Combine(b.path, "manifest.sig")))
        .Select(b => (b.path, b.TakenAt!.Value))
        .OrderByDescending(b => b.Item2)
        .ToArray();

    /// <summary>
    /// Every problem with a backup folder, its key history's included, checked against <paramref name="keys"/> by the
    /// configured provider (SQLite's integrity check of the copy, or SQL Server's RESTORE VERIFYONLY on the server).
    /// </summary>
    public static async Task<IReadOnlyList<string>> CheckFolderAsync(string backup, IConfiguration configuration, PharmacyKeyHistory keys,
        CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine(backup, "keys")))
        {
            return [$"{backup} is not a PharmacyRx backup (no keys folder)"];
        }
        var problems = await VerifyAsync(backup, StorageProvider.CreateDialect(configuration, new DataFolder(backup)), keys, cancellationToken);
        return [.. keys.Problems.Select(problem => $"key history: {problem}"), .. problems];
    }

    /// <summary>
    /// Checks a backup folder against <paramref name="keys"/> — the live key history or one pinned from outside, never
    /// keys the backup carries: the manifest's signature by a pharmacy certificate, no file the manifest does not list,
    /// the database's SHA-256 and integrity, the key files' SHA-256. Returns the problems found; none means the backup holds.
    /// </summary>
    public static async Task<IReadOnlyList<string>> VerifyAsync(string backup, ISqlDialect dialect, PharmacyKeyHistory keys,
        CancellationToken cancellationToken)
    {
        var manifestPath = Path.Combine(backup, "manifest.json");
        if (!File.Exists(manifestPath) || !File.Exists(Path.Combine(backup, "manifest.sig")))
        {
            return [$"{backup} has no signed manifest"];
        }
        var manifestBytes = await File.ReadAllBytesAsync(manifestPath, cancellationToken);
        var signature = await File.ReadAllBytesAsync(Path.Combine(backup, "manifest.sig"), cancellationToken);
        BackupManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BackupManifest>(manifestBytes, Json);
        }
        catch (JsonException ex)
        {
            return [$"the manifest is not readable: {ex.Message}"];
        }
        // A manifest is read before its signature is known to hold: nothing it says is taken for granted.
        if (manifest is null || manifest.KeyFiles is null || manifest.SignerThumbprint is null || manifest.DatabaseSha256 is null)
        {
            return ["the manifest lacks its key files, its signer or its database's SHA-256"];
        }
        if (manifest.Database != dialect.BackupFileName || manifest.KeyFiles.Keys.Any(file => !IsListedFileName(file)))
        {
            return [$"the manifest names files outside the backup's layout ({dialect.BackupFileName}, keys/NAME, heads/head-N.json|sig)"];
        }

        var problems = new List<string>();
        if (keys.CertificateFor(manifest.SignerThumbprint) is not { } certificate)
        {
            problems.Add($"the manifest is signed by {manifest.SignerThumbprint}, which is not in the pharmacy's key history");
        }
        else if (!PharmacySigningKey.Verify(certificate, manifestBytes, signature))
        {
            problems.Add($"the manifest's signature does not verify with the pharmacy certificate {manifest.SignerThumbprint}");
        }
        // Before the database is opened: a file beside it (a -wal, say) would be read with it.
        string[] listed = ["manifest.json", "manifest.sig", manifest.Database, .. manifest.KeyFiles.Keys];
        var unlisted = Directory.EnumerateFiles(backup, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(backup, file).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(file => !listed.Contains(file, StringComparer.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(file => $"{file} is not listed in the manifest")
            .ToArray();
        if (unlisted.Length > 0)
        {
            return [.. problems, .. unlisted];
        }
        var database = Path.Combine(backup, manifest.Database);
        if (!File.Exists(database) || await Sha256Async(database, cancellationToken) != manifest.DatabaseSha256)
        {
            problems.Add("the database copy does not match the manifest's SHA-256");
        }
        else if (await dialect.CheckIntegrityAsync(database, cancellationToken) is var integrity && integrity != "ok")
        {
            problems.Add($"the database copy fails its integrity check: {integrity}");
        }
        foreach (var (file, sha256) in manifest.KeyFiles)
        {
            var path = Path.Combine(backup, file);
            if (!File.Exists(path) || await Sha256Async(path, cancellationToken) != sha256)
            {
                problems.Add($"{file} does not match the manifest's SHA-256");
            }
        }
        return problems;
    }

    private static bool IsListedFileName(string file) =>
        (file.StartsWith("keys/", StringComparison.Ordinal) && file.Length > 5 && file[5..].IndexOfAny(['/', '\\']) < 0 && file[5..] is not ("." or ".."))
        || (file.StartsWith("heads/", StringComparison.Ordinal) && Integrity.ChainHeads.IsHeadFileName(file[6..]));

    /// <summary>Keeps the newest <see cref="BackupOptions.KeepDays"/> days and the first backup of each of the last <see cref="BackupOptions.KeepMonths"/> months.</summary>
    private int Prune(DateTimeOffset now)
    {
        var backups = List();
        var keepSince = now.AddDays(-options.KeepDays);
        var monthly = backups
            .Where(b => b.TakenAt > now.AddMonths(-options.KeepMonths))
            // A month on the pharmacy's calendar, as a person counting the kept backups reads it.
            .GroupBy(b => clock.ToLocalDate(b.TakenAt) is var day ? (day.Year, day.Month) : default)
            .Select(g => g.MinBy(b => b.TakenAt).Path)
            .ToHashSet(StringComparer.Ordinal);
        var pruned = 0;
        foreach (var (path, takenAt) in backups)
        {
            if (takenAt < keepSince && !monthly.Contains(path))
            {
                Directory.Delete(path, recursive: true);
                pruned++;
            }
        }
        return pruned;
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    // A second folder configured after init has no copy of the key history yet: the first backup there writes it, from
    // the data folder's history as it is then (the pin printed by init stays the stronger root).
    private async Task KeepHistoryCopyAsync(CancellationToken cancellationToken)
    {
        if (PharmacyKeyHistory.SecondFolderCopy(options.SecondFolder) is { } copy && !File.Exists(copy)
            && PharmacyKeyHistory.Read(data.KeyHistoryPath, data.CertificatePath, out _) is { } history)
        {
            await PharmacyKeyHistory.CopyToSecondFolderAsync(history, options.SecondFolder, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup {Name} completed: {Bytes} bytes")]
    private static partial void LogCompleted(ILogger logger, string name, long bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup {Name} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string name);
}
