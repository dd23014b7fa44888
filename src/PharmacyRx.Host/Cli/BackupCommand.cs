using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Keys;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>backup run|list|verify|restore</c> (1311.205(b)(17)): what <c>serve</c> does daily, on demand; checking a backup
/// with its signed manifest against the live key history or the pin, never against keys it carries; restoring one into an
/// empty data folder, after which <c>verify</c> re-checks every record.
/// </summary>
internal static class BackupCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var run = new Command("run", "Take a backup now (needs the key password: the manifest is signed)");
        run.SetAction((parse, ct) => RunAsync(environment, new DataFolder(parse.GetValue(data)!), ct));

        var list = new Command("list", "List backups, newest first");
        list.SetAction((parse, ct) => ListAsync(environment, new DataFolder(parse.GetValue(data)!), ct));

        var path = new Argument<string>("backup") { Description = "A backup folder (or its pharmacyrx.db)" };
        var pin = new Option<string?>("--pin") { Description = "The SHA-256 thumbprint of the pharmacy's first certificate, printed by init" };
        var verify = new Command("verify", "Check a backup against the live key history (--data) or --pin: signed manifest, files, SHA-256, integrity") { path, pin };
        verify.SetAction((parse, ct) => VerifyAsync(environment, BackupFolder(parse.GetValue(path)!), new DataFolder(parse.GetValue(data)!), parse.GetValue(pin), ct));

        var restorePath = new Argument<string>("backup") { Description = "A backup folder (or its pharmacyrx.db)" };
        var restorePin = new Option<string?>("--pin") { Description = "The SHA-256 thumbprint of the pharmacy's first certificate, printed by init" };
        var restore = new Command("restore", "Restore a checked backup into an empty data folder (--data); needs --pin or Backup:SecondFolder") { restorePath, restorePin };
        restore.SetAction((parse, ct) => RestoreAsync(
            environment, BackupFolder(parse.GetValue(restorePath)!), new DataFolder(parse.GetValue(data)!), parse.GetValue(restorePin), ct));

        return new Command("backup", "Daily backups: run, list, verify, restore") { run, list, verify, restore };
    }

    private static string BackupFolder(string path) => File.Exists(path) ? Path.GetDirectoryName(Path.GetFullPath(path))! : Path.GetFullPath(path);

    private static async Task<int> RunAsync(CliEnvironment environment, DataFolder data, CancellationToken cancellationToken)
    {
        if (await CommandContext.OpenSigningAsync(data, environment, cancellationToken) is not { } context)
        {
            return 2;
        }
        await using (context)
        {
            try
            {
                var backup = await context.Get<BackupService>().RunAsync(ReceiptSource.CommandLine.Actor, cancellationToken);
                CliJson.WriteLine(environment.Out, new { backup });
                return 0;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                await environment.Error.WriteLineAsync($"error: backup failed: {ex.Message}");
                return 1;
            }
        }
    }

    private static async Task<int> ListAsync(CliEnvironment environment, DataFolder data, CancellationToken cancellationToken)
    {
        if (await CommandContext.OpenInitializedAsync(data, environment, cancellationToken) is not { } context)
        {
            return 2;
        }
        await using (context)
        {
            var folder = BackupService.BackupFolder(context.Get<BackupOptions>(), data);
            foreach (var backup in Directory.Exists(folder) ? Directory.EnumerateDirectories(folder, "pharmacyrx-*").Order(StringComparer.Ordinal).Reverse() : [])
            {
                var database = new FileInfo(Path.Combine(backup, context.Get<ISqlDialect>().BackupFileName));
                CliJson.WriteLine(environment.Out, new { backup, bytes = database.Exists ? database.Length : 0, signed = File.Exists(Path.Combine(backup, "manifest.sig")) });
            }
            return 0;
        }
    }

    private static async Task<int> VerifyAsync(CliEnvironment environment, string backup, DataFolder live, string? pin, CancellationToken cancellationToken)
    {
        var keys = TrustFor(backup, live, pin);
        var problems = await BackupService.CheckFolderAsync(backup, CommandContext.Configuration(), keys, cancellationToken);
        foreach (var problem in problems)
        {
            await environment.Out.WriteLineAsync($"FAIL {problem}");
        }
        await environment.Out.WriteLineAsync(problems.Count == 0 ? $"OK: {backup} holds" : $"FAILED: {problems.Count} problems in {backup}");
        if (!keys.IsPinned && keys.Problems.Count == 0)
        {
            await environment.Out.WriteLineAsync($"WARN {PharmacyKeyHistory.NotPinnedWarning}");
        }
        return problems.Count == 0 ? 0 : 1;
    }

    private static async Task<int> RestoreAsync(CliEnvironment environment, string backup, DataFolder data, string? pin, CancellationToken cancellationToken)
    {
        if (Directory.Exists(data.Root) && Directory.EnumerateFileSystemEntries(data.Root).Any())
        {
            await environment.Error.WriteLineAsync($"error: {data.Root} is not empty; restore into a new data folder");
            return 1;
        }
        // The backup's own keys never vouch for it: the pin (the only trust root when the installation is lost) or the
        // copy of the key history in the second folder does.
        var keys = TrustFor(backup, live: null, pin);
        if (!keys.IsPinned)
        {
            await environment.Error.WriteLineAsync($"error: nothing outside the backup vouches for it: {NoTrustRoot}");
            return 1;
        }
        var problems = await BackupService.CheckFolderAsync(backup, CommandContext.Configuration(), keys, cancellationToken);
        if (problems.Count > 0)
        {
            await environment.Error.WriteLineAsync($"error: the backup does not hold: {string.Join("; ", problems)}");
            return 1;
        }
        var dialect = StorageProvider.CreateDialect(CommandContext.Configuration(), data);
        if (await dialect.RestoreStatementAsync(Path.Combine(backup, dialect.BackupFileName), cancellationToken) is { } statement)
        {
            // SQL Server: restoring over a database is the DBA's act, with every instance stopped; the service says how.
            CliJson.WriteLine(environment.Out, new { restoreDatabase = statement, from = backup, keys = Path.Combine(backup, "keys") });
            return 0;
        }
        var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(backup, "manifest.json"), cancellationToken)).RootElement;
        // 1311.205(b)(5): restored health data and keys are the service user's alone (the copy takes no mode from the backup).
        if (!OwnerOnlyFiles.CreateOrRestrictFolder(data.Root))
        {
            await environment.Error.WriteLineAsync($"warning: {data.Root} could not be made 0700 (another user owns it); verify will report it");
        }
        OwnerOnlyFiles.CreateFolder(data.KeysFolder);
        await OwnerOnlyFiles.CopyAsync(Path.Combine(backup, dialect.BackupFileName), data.DatabasePath, cancellationToken);
        // Only what the signed manifest lists: the key files and the signed chain heads.
        foreach (var file in manifest.GetProperty("keyFiles").EnumerateObject().Select(p => p.Name))
        {
            var target = Path.Combine(data.Root, file);
            OwnerOnlyFiles.CreateFolder(Path.GetDirectoryName(target)!);
            await OwnerOnlyFiles.CopyAsync(Path.Combine(backup, file), target, cancellationToken);
        }
        // The restore is recorded in the restored chain, keyed: the restored pharmacy key (and so the key password) gives the chain key.
        if (CommandContext.ChainKeys(data, environment) is not { } chainKeys)
        {
            return 2;
        }
        await using (var context = CommandContext.Open(data, signingKey: null, chainKeys))
        {
            await context.MigrateAsync(cancellationToken);
            await context.Get<AuditLog>().AppendAsync(
                [new AuditEvent(TimeProvider.System.GetUtcNow(), AuditEventTypes.BackupRestored, ReceiptSource.CommandLine.Actor, AuditOutcome.Success,
                    data.Root, $"restored from {Path.GetFileName(backup)}; pin={keys.Pin}")],
                cancellationToken);
        }
        CliJson.WriteLine(environment.Out, new { restored = data.Root, from = backup });
        return 0;
    }

    private const string NoTrustRoot = "give --pin THUMBPRINT (printed by init) or set Backup:SecondFolder";

    /// <summary>
    /// What vouches for a backup: with a pin, or the copy in the second folder, the live history (or, with no live data
    /// folder, the backup's own history, which must then start with the pin and chain); else the live history unpinned.
    /// Never the backup's keys alone.
    /// </summary>
    private static PharmacyKeyHistory TrustFor(string backup, DataFolder? live, string? pin)
    {
        var configuration = CommandContext.Configuration();
        var secondFolder = configuration.GetSection("Backup").Get<BackupOptions>()?.SecondFolder;
        var copy = PharmacyKeyHistory.SecondFolderCopy(secondFolder);
        if (!string.IsNullOrWhiteSpace(pin) || (copy is not null && File.Exists(copy)))
        {
            return PharmacyKeyHistory.Load(live is not null && StorageProvider.IsInitialized(configuration, live) ? live : new DataFolder(backup), secondFolder, pin);
        }
        return live is not null && StorageProvider.IsInitialized(configuration, live)
            ? PharmacyKeyHistory.Load(live, secondFolder: null, pin: null)
            : PharmacyKeyHistory.Untrusted($"no live data folder and no pin: {NoTrustRoot}");
    }
}
