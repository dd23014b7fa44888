using System.CommandLine;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Signing;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>backup run|list|verify|restore</c> (1311.205(b)(17)): what <c>serve</c> does daily, on demand; checking a backup
/// with its signed manifest; restoring one into an empty data folder, after which <c>verify</c> re-checks every record.
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
        var verify = new Command("verify", "Check a backup: signed manifest, SHA-256, integrity") { path };
        verify.SetAction((parse, ct) => VerifyAsync(environment, BackupFolder(parse.GetValue(path)!), ct));

        var restorePath = new Argument<string>("backup") { Description = "A backup folder (or its pharmacyrx.db)" };
        var restore = new Command("restore", "Restore a checked backup into an empty data folder (--data)") { restorePath };
        restore.SetAction((parse, ct) => RestoreAsync(environment, BackupFolder(parse.GetValue(restorePath)!), new DataFolder(parse.GetValue(data)!), ct));

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
                var database = new FileInfo(Path.Combine(backup, "pharmacyrx.db"));
                CliJson.WriteLine(environment.Out, new { backup, bytes = database.Exists ? database.Length : 0, signed = File.Exists(Path.Combine(backup, "manifest.sig")) });
            }
            return 0;
        }
    }

    private static async Task<int> VerifyAsync(CliEnvironment environment, string backup, CancellationToken cancellationToken)
    {
        var problems = await CheckAsync(backup, cancellationToken);
        foreach (var problem in problems)
        {
            await environment.Out.WriteLineAsync($"FAIL {problem}");
        }
        await environment.Out.WriteLineAsync(problems.Count == 0 ? $"OK: {backup} holds" : $"FAILED: {problems.Count} problems in {backup}");
        return problems.Count == 0 ? 0 : 1;
    }

    private static async Task<int> RestoreAsync(CliEnvironment environment, string backup, DataFolder data, CancellationToken cancellationToken)
    {
        if (Directory.Exists(data.Root) && Directory.EnumerateFileSystemEntries(data.Root).Any())
        {
            await environment.Error.WriteLineAsync($"error: {data.Root} is not empty; restore into a new data folder");
            return 1;
        }
        var problems = await CheckAsync(backup, cancellationToken);
        if (problems.Count > 0)
        {
            await environment.Error.WriteLineAsync($"error: the backup does not hold: {string.Join("; ", problems)}");
            return 1;
        }
        Directory.CreateDirectory(data.KeysFolder);
        File.Copy(Path.Combine(backup, "pharmacyrx.db"), data.DatabasePath);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(backup, "keys")))
        {
            File.Copy(file, Path.Combine(data.KeysFolder, Path.GetFileName(file)));
        }
        await Integrity.ChainHeads.CopyUpToAsync(Path.Combine(backup, "heads"), data.Root, long.MaxValue);
        await using (var context = CommandContext.Open(data, signingKey: null))
        {
            await context.MigrateAsync(cancellationToken);
            await context.Get<AuditLog>().AppendAsync(
                [new AuditEvent(TimeProvider.System.GetUtcNow(), AuditEventTypes.BackupRestored, ReceiptSource.CommandLine.Actor, AuditOutcome.Success,
                    data.Root, $"restored from {Path.GetFileName(backup)}")],
                cancellationToken);
        }
        CliJson.WriteLine(environment.Out, new { restored = data.Root, from = backup });
        return 0;
    }

    // A backup is checked with the pharmacy certificates it carries: it must be whole as the pharmacy signed it.
    private static async Task<IReadOnlyList<string>> CheckAsync(string backup, CancellationToken cancellationToken)
    {
        var keys = Path.Combine(backup, "keys");
        if (!Directory.Exists(keys))
        {
            return [$"{backup} is not a PharmacyRx backup (no keys folder)"];
        }
        var certificates = Directory.EnumerateFiles(keys, "*.crt").Select(PharmacySigningKey.LoadCertificate).ToArray();
        try
        {
            return await BackupService.VerifyAsync(backup, new SqliteDialect(Path.Combine(backup, "pharmacyrx.db")), certificates, cancellationToken);
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }
}
