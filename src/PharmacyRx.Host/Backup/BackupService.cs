using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Signing;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Backup;

/// <summary>
/// The daily backup (1311.205(b)(17)): an online copy of the database taken while the service runs, checked (integrity
/// check, SHA-256), with the encrypted key files beside it and a manifest signed with the pharmacy key; copied to a
/// second folder when one is set; old copies pruned (35 days, and the first of each month for two years). Every run
/// and every failure is audited.
/// </summary>
public sealed partial class BackupService(
    ISqlDialect dialect, AuditLog audit, PharmacySigningKey signingKey, DataFolder data, BackupOptions options, TimeProvider time,
    ILogger<BackupService> logger)
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
        var now = time.GetUtcNow();
        var name = Prefix + now.UtcDateTime.ToString("yyyy-MM-dd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        var target = Path.Combine(Folder, name);
        try
        {
            Directory.CreateDirectory(target);
            var database = Path.Combine(target, "pharmacyrx.db");
            var integrity = await dialect.BackupAsync(database, cancellationToken);
            if (integrity != "ok")
            {
                throw new InvalidDataException($"the copy failed its integrity check: {integrity}");
            }
            var keys = Path.Combine(target, "keys");
            Directory.CreateDirectory(keys);
            foreach (var file in Directory.EnumerateFiles(data.KeysFolder))
            {
                File.Copy(file, Path.Combine(keys, Path.GetFileName(file)));
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
                "pharmacyrx.db", await Sha256Async(database, cancellationToken), new FileInfo(database).Length, integrity, keyHashes,
                now, head.Sequence, head.Hash, signingKey.Thumbprint);
            var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, Json);
            await File.WriteAllBytesAsync(Path.Combine(target, "manifest.json"), manifestBytes, cancellationToken);
            await File.WriteAllBytesAsync(Path.Combine(target, "manifest.sig"), signingKey.Sign(manifestBytes), cancellationToken);
            if (!string.IsNullOrWhiteSpace(options.SecondFolder))
            {
                CopyFolder(target, Path.Combine(options.SecondFolder, name));
            }
            var pruned = Prune(now);
            await audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.BackupCompleted, actor, AuditOutcome.Success, name,
                $"sha256={manifest.DatabaseSha256}; bytes={manifest.DatabaseBytes}; auditSequence={head.Sequence}; pruned={pruned}")], cancellationToken);
            LogCompleted(logger, name, manifest.DatabaseBytes);
            return target;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            LogFailed(logger, ex, name);
            await audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.BackupFailed, actor, AuditOutcome.Failure, name, ex.Message)],
                CancellationToken.None);
            throw;
        }
    }

    /// <summary>Every backup in the folder, newest first, with when it was taken.</summary>
    public IReadOnlyList<(string Path, DateTimeOffset TakenAt)> List() => !Directory.Exists(Folder) ? [] : Directory.EnumerateDirectories(Folder, Prefix + "*")
        .Select(path => (path, TakenAt: DateTimeOffset.TryParseExact(Path.GetFileName(path)[Prefix.Length..], "yyyy-MM-dd'T'HHmmssfff'Z'",
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null))
        .Where(b => b.TakenAt is not null && File.Exists(Path.Combine(b.path, "manifest.sig")))
        .Select(b => (b.path, b.TakenAt!.Value))
        .OrderByDescending(b => b.Item2)
        .ToArray();

    /// <summary>
    /// Checks a backup folder: the manifest's signature with a pharmacy certificate, the database's SHA-256 and
    /// integrity, the key files' SHA-256. Returns the problems found; none means the backup holds.
    /// </summary>
    public static async Task<IReadOnlyList<string>> VerifyAsync(string backup, ISqlDialect dialect, IEnumerable<X509Certificate2> certificates,
        CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var manifestPath = Path.Combine(backup, "manifest.json");
        if (!File.Exists(manifestPath) || !File.Exists(Path.Combine(backup, "manifest.sig")))
        {
            return [$"{backup} has no signed manifest"];
        }
        var manifestBytes = await File.ReadAllBytesAsync(manifestPath, cancellationToken);
        var signature = await File.ReadAllBytesAsync(Path.Combine(backup, "manifest.sig"), cancellationToken);
        if (!certificates.Any(c => PharmacySigningKey.Verify(c, manifestBytes, signature)))
        {
            problems.Add("the manifest's signature does not verify with any pharmacy certificate");
        }
        var manifest = JsonSerializer.Deserialize<BackupManifest>(manifestBytes, Json)!;
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

    /// <summary>Keeps the newest <see cref="BackupOptions.KeepDays"/> days and the first backup of each of the last <see cref="BackupOptions.KeepMonths"/> months.</summary>
    private int Prune(DateTimeOffset now)
    {
        var backups = List();
        var keepSince = now.AddDays(-options.KeepDays);
        var monthly = backups
            .Where(b => b.TakenAt > now.AddMonths(-options.KeepMonths))
            .GroupBy(b => (b.TakenAt.Year, b.TakenAt.Month))
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

    private static void CopyFolder(string source, string destination)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup {Name} completed: {Bytes} bytes")]
    private static partial void LogCompleted(ILogger logger, string name, long bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup {Name} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string name);
}
