using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Cli;
using PharmacyRx.Host.Keys;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>keys rotate</c>: a new pharmacy key and certificate, appended to the key history with a link signed by the old
/// key (the pin stays; <c>verify</c> accepts seals by either); the old private key is destroyed, its certificate kept.
/// Audited. A running service signs with its start-up key until restarted.
/// </summary>
internal static class KeysCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var rotate = new Command("rotate", "Replace the pharmacy signing key; the old key signs the new certificate into the key history");
        rotate.SetAction((parse, cancellationToken) => RotateAsync(environment, new DataFolder(parse.GetValue(data)!), cancellationToken));
        return new Command("keys", "The pharmacy's signing keys and their history") { rotate };
    }

    private static async Task<int> RotateAsync(CliEnvironment environment, DataFolder data, CancellationToken cancellationToken)
    {
        if (await CommandContext.OpenSigningAsync(data, environment, cancellationToken) is not { } opened)
        {
            return 2;
        }
        await using var context = opened;
        var previous = context.Get<PharmacySigningKey>();
        var secondFolder = context.Get<BackupOptions>().SecondFolder;
        // Only a history that holds (and, with a second folder, matches its pin) is extended, and only by its newest key.
        var trusted = PharmacyKeyHistory.Load(data, secondFolder, pin: null);
        var history = PharmacyKeyHistory.Read(data.KeyHistoryPath, data.CertificatePath, out var unreadable);
        if (history is null || trusted.Problems.Count > 0)
        {
            await environment.Error.WriteLineAsync($"error: the key history does not hold: {string.Join("; ", [unreadable, .. trusted.Problems])}");
            return 1;
        }
        if (!string.Equals(history.Entries[^1].Thumbprint, previous.Thumbprint, StringComparison.OrdinalIgnoreCase))
        {
            await environment.Error.WriteLineAsync($"error: the key in {data.KeyPath} is not the newest of the key history");
            return 1;
        }
        var password = KeyPasswordSource.Read(environment.GetVariable, out var problem);
        if (password is null)
        {
            await environment.Error.WriteLineAsync($"error: {problem}");
            return 2;
        }

        var now = TimeProvider.System.GetUtcNow();
        var nextKeyPath = data.KeyPath + ".next";
        var nextCertificatePath = data.CertificatePath + ".next";
        File.Delete(nextKeyPath);
        File.Delete(nextCertificatePath);
        using var next = PharmacySigningKey.Generate(PharmacyName(previous.Certificate), now);
        try
        {
            next.Save(nextKeyPath, nextCertificatePath, password);
        }
        finally
        {
            Array.Clear(password);
        }
        // 1311.205(b)(16): the chain key changes with the pharmacy key; the keys it replaces are kept sealed under it, so the
        // events they keyed still verify on every instance and after a restore.
        var chainKeys = context.Get<ChainKeyRing>();
        using var nextChainKey = ChainKey.Derive(next);
        await context.Get<Database>().AuditedAsync<int>(async (connection, transaction) =>
        {
            await ChainKeyStore.SealUnderAsync(connection, transaction, chainKeys, nextChainKey, now, cancellationToken);
            return (0, [], true);
        }, cancellationToken);
        var retired = Path.Combine(data.KeysFolder, $"pharmacy-{previous.Thumbprint}.crt");
        if (!File.Exists(retired))
        {
            await OwnerOnlyFiles.CopyAsync(data.CertificatePath, retired, cancellationToken);
        }
        // The history first: should the swap below not happen, the old key still signs and is still in the history.
        var rotated = history.Rotate(previous, next.Certificate, now);
        // The history was checked against the second folder's copy above, so the copy is of the same pin and is extended.
        await PharmacyKeyHistory.SaveAsync(rotated, data, secondFolder, cancellationToken);
        File.Move(nextCertificatePath, data.CertificatePath, overwrite: true);
        File.Move(nextKeyPath, data.KeyPath, overwrite: true);

        await context.Get<AuditLog>().AppendAsync(
            [new AuditEvent(now, AuditEventTypes.KeyRotated, ReceiptSource.CommandLine.Actor, AuditOutcome.Success, data.Root,
                $"from sha256={previous.Thumbprint}; to sha256={next.Thumbprint}; pin={rotated.Pin}; chain key {chainKeys.Current.Id} to {nextChainKey.Id}")],
            cancellationToken);
        CliJson.WriteLine(environment.Out, new { previous = previous.Thumbprint, certificate = next.Thumbprint, pin = rotated.Pin });
        return 0;
    }

    // The new certificate names the same pharmacy (its organization name) as the old one.
    private static string PharmacyName(X509Certificate2 certificate) => certificate.SubjectName.EnumerateRelativeDistinguishedNames()
        .Where(name => name.GetSingleElementType().Value == "2.5.4.10")
        .Select(name => name.GetSingleElementValue())
        .FirstOrDefault(name => !string.IsNullOrEmpty(name)) ?? "PharmacyRx pharmacy";
}
