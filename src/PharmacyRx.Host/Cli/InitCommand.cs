using System.CommandLine;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Keys;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Access;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>init</c>: creates the database, the pharmacy's signing key and certificate, and the first administrator.
/// Prints one JSON line with the administrator's one-time password (shown once, stored only as a hash) and the pin: the
/// SHA-256 thumbprint of the first certificate of the key history, which <c>verify --pin</c> and <c>backup restore --pin</c> trust.
/// </summary>
internal static class InitCommand
{
    public const string AdminRole = Core.Access.DefaultRoles.PharmacyAdmin;

    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var pharmacy = new Option<string>("--pharmacy-name")
        {
            Description = "The pharmacy's name, for the signing certificate",
            DefaultValueFactory = _ => "PharmacyRx pharmacy",
        };
        var admin = new Option<string>("--admin") { Description = "The first administrator's user name", DefaultValueFactory = _ => "admin" };
        var command = new Command("init", "Create the database, the pharmacy signing key and the first administrator") { pharmacy, admin };
        command.SetAction((parse, cancellationToken) => RunAsync(
            environment, new DataFolder(parse.GetValue(data)!), parse.GetValue(pharmacy)!, parse.GetValue(admin)!, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(
        CliEnvironment environment, DataFolder data, string pharmacyName, string adminUser, CancellationToken cancellationToken)
    {
        var databaseFile = StorageProvider.DatabaseFile(CommandContext.Configuration(), data);
        if (File.Exists(data.KeyPath) || (databaseFile is not null && File.Exists(databaseFile)))
        {
            await environment.Error.WriteLineAsync($"error: {data.Root} is already initialized; nothing was changed");
            return 1;
        }
        var password = KeyPasswordSource.Read(environment.GetVariable, out var problem);
        if (password is null)
        {
            await environment.Error.WriteLineAsync($"error: {problem}");
            return 2;
        }

        try
        {
            // 1311.205(b)(5): the data folder and everything in it are the service user's alone.
            if (!OwnerOnlyFiles.CreateOrRestrictFolder(data.Root))
            {
                await environment.Error.WriteLineAsync($"warning: {data.Root} could not be made 0700 (another user owns it); verify will report it");
            }
            OwnerOnlyFiles.CreateFolder(data.KeysFolder);
            OwnerOnlyFiles.CreateFolder(data.Inbox);
            if (databaseFile is not null)
            {
                // SQLite opens an empty file as a new database and keeps its mode; its WAL and SHM files take the same.
                OwnerOnlyFiles.WriteNew(databaseFile, []);
            }

            // The database first: a server that cannot be reached leaves no key behind, so init can simply be run again.
            var now = TimeProvider.System.GetUtcNow();
            using (var key = PharmacySigningKey.Generate(pharmacyName, now))
            {
                // The chain is keyed from its first event (1311.205(b)(16)).
                await using var context = CommandContext.Open(data, signingKey: null, new ChainKeyRing(ChainKey.Derive(key)));
                await context.MigrateAsync(cancellationToken);
                key.Save(data.KeyPath, data.CertificatePath, password);
                // The first certificate's thumbprint is the pin: printed once, kept by the pharmacy outside the data folder.
                var history = KeyHistory.Start(key.Certificate, now);
                if (!await PharmacyKeyHistory.SaveAsync(history, data, context.Get<BackupOptions>().SecondFolder, cancellationToken))
                {
                    await environment.Error.WriteLineAsync(
                        "warning: Backup:SecondFolder holds the key history of another installation; it was left as it is and verify will say so");
                }
                var actor = ReceiptSource.CommandLine.Actor;
                await context.Get<AuditLog>().AppendAsync(
                    [new AuditEvent(now, AuditEventTypes.Initialized, actor, AuditOutcome.Success, data.Root,
                        $"pharmacy signing certificate sha256={key.Thumbprint}; pin={history.Pin}")],
                    cancellationToken);

                var adminPassword = PasswordHasher.GeneratePassword();
                await context.Get<UserStore>().CreateAsync(
                    new UserStore.NewUser(adminUser, "Pharmacy administrator", "ADM", PasswordHasher.Hash(adminPassword), [AdminRole]),
                    actor,
                    cancellationToken);
                CliJson.WriteLine(environment.Out, new { adminUser, adminPassword, certificate = data.CertificatePath, pin = history.Pin });
            }
            return 0;
        }
        finally
        {
            Array.Clear(password);
        }
    }
}
