
namespace PharmacyRx.Host.Backup;

/// <summary>
/// The copies in <c>Backup:SecondFolder</c> (signed heads and backups) and those missing because it was unreachable or
/// full. A failed copy never stops receiving: <see cref="CopyMissingAsync"/> retries it (each head, each backup, every
/// <see cref="BackupOptions.SecondFolderRetry"/>) and health and the daily report show it until made.
/// </summary>
public sealed partial class SecondFolderCopies(DataFolder data, BackupOptions options, ILogger<SecondFolderCopies> logger)
{
    /// <summary>The prefix of a folder being written; a leftover is cleared at the next run.</summary>
    public const string PartialPrefix = ".partial-";

    private string? Second => string.IsNullOrWhiteSpace(options.SecondFolder) ? null : options.SecondFolder;

    private string HeadsFolder => Path.Combine(data.Root, "heads");

    /// <summary>What is not yet in the second folder (heads and backups by name); null when no second folder is set.</summary>
    public IReadOnlyList<string>? Behind()
    {
        if (Second is not { } second)
        {
            return null;
        }
        return [.. MissingHeads(second).Select(Path.GetFileName).OfType<string>(), .. MissingBackups(second).Select(Path.GetFileName).OfType<string>()];
    }

    /// <summary>Copies what is missing; returns what still could not be copied, with why (empty when all is there).</summary>
    public async Task<IReadOnlyList<string>> CopyMissingAsync(CancellationToken cancellationToken)
    {
        if (Second is not { } second)
        {
            return [];
        }
        var failed = new List<string>();
        foreach (var head in MissingHeads(second))
        {
            await TryAsync(Path.GetFileName(head), failed, async () =>
            {
                var target = Path.Combine(second, "heads", Path.GetFileName(head));
                OwnerOnlyFiles.CreateFolder(Path.GetDirectoryName(target)!);
                var partial = Path.Combine(Path.GetDirectoryName(target)!, PartialPrefix + Path.GetFileName(target));
                // A copy cut short by a full folder is started again, never kept: it would block every retry.
                File.Delete(partial);
                try
                {
                    await OwnerOnlyFiles.CopyAsync(head, partial, cancellationToken);
                }
                catch (IOException)
                {
                    File.Delete(partial);
                    throw;
                }
                File.Move(partial, target, overwrite: true);
            });
        }
        foreach (var backup in MissingBackups(second))
        {
            await TryAsync(Path.GetFileName(backup), failed, () => CopyBackupAsync(backup, second, cancellationToken));
        }
        return failed;
    }

    /// <summary>Removes folders left by a run that stopped half-way (<see cref="PartialPrefix"/>) in <paramref name="folder"/>.</summary>
    public static int ClearPartial(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }
        var cleared = 0;
        foreach (var partial in Directory.EnumerateDirectories(folder, PartialPrefix + "*"))
        {
            Directory.Delete(partial, recursive: true);
            cleared++;
        }
        return cleared;
    }

    private static async Task CopyBackupAsync(string backup, string second, CancellationToken cancellationToken)
    {
        OwnerOnlyFiles.CreateFolder(second);
        ClearPartial(second);
        var name = Path.GetFileName(backup);
        var partial = Path.Combine(second, PartialPrefix + name);
        // The manifest's signature last: a copy cut short never looks like a signed backup.
        var files = Directory.EnumerateFiles(backup, "*", SearchOption.AllDirectories)
            .OrderBy(file => Path.GetFileName(file) == "manifest.sig" ? 1 : 0).ToArray();
        foreach (var file in files)
        {
            var target = Path.Combine(partial, Path.GetRelativePath(backup, file));
            OwnerOnlyFiles.CreateFolder(Path.GetDirectoryName(target)!);
            await OwnerOnlyFiles.CopyAsync(file, target, cancellationToken);
        }
        var final = Path.Combine(second, name);
        if (Directory.Exists(final))
        {
            Directory.Delete(final, recursive: true);
        }
        Directory.Move(partial, final);
    }

    private async Task TryAsync(string name, List<string> failed, Func<Task> copy)
    {
        try
        {
            await copy();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogNotCopied(logger, name, ex.Message);
            failed.Add($"{name}: {ex.Message}");
        }
    }

    private string[] MissingHeads(string second)
    {
        if (!Directory.Exists(HeadsFolder))
        {
            return [];
        }
        var outside = Path.Combine(second, "heads");
        return Directory.EnumerateFiles(HeadsFolder, "head-*.*")
            .Where(file => Integrity.ChainHeads.IsHeadFileName(Path.GetFileName(file)) && !File.Exists(Path.Combine(outside, Path.GetFileName(file))))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    private string[] MissingBackups(string second) =>
        BackupService.List(BackupService.BackupFolder(options, data))
            .Select(backup => backup.Path)
            .Where(path => !File.Exists(Path.Combine(second, Path.GetFileName(path), "manifest.sig")))
            .ToArray();

    [LoggerMessage(Level = LogLevel.Error, Message = "{Name} could not be copied to Backup:SecondFolder ({Reason}); it is retried")]
    private static partial void LogNotCopied(ILogger logger, string name, string reason);
}
