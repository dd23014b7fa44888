using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Keys;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Integrity;

/// <summary>
/// Signs the audit chain's head (1311.205(b)(16), 1311.215(a)(5)) every few minutes of activity
/// (<see cref="ChainHeadScheduler"/>), after a writing verb and with each report; recorded in the chain
/// (<see cref="AuditEventTypes.ChainHeadSigned"/>) so a lost file shows; copied by <see cref="SecondFolderCopies"/>.
/// </summary>
public sealed partial class ChainHeads(
    AuditLog audit, Database database, PharmacySigningKey? signingKey, DataFolder data, BackupOptions backup, PharmacyKeyHistory keys,
    TimeProvider time, ServiceOptions service, SecondFolderCopies? secondFolder = null)
{
    public const string Actor = "system:chain-head";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string Folder => Path.Combine(data.Root, "heads");

    /// <summary>The instance whose heads are in <see cref="Folder"/>.</summary>
    public string Instance => service.InstanceName;

    /// <summary>The copies outside the data folder (<c>Backup:SecondFolder/heads</c>), or null when no second folder is set.</summary>
    public string? OutsideFolder => string.IsNullOrWhiteSpace(backup.SecondFolder) ? null : Path.Combine(backup.SecondFolder, "heads");

    /// <summary>The file of the head that signs event <paramref name="sequence"/>.</summary>
    public string PathOf(long sequence) => Path.Combine(Folder, $"head-{sequence:D12}.json");

    /// <summary>
    /// Signs the current head unless nothing was appended since the last signing; returns what was signed, or null.
    /// Needs the signing key.
    /// </summary>
    public async Task<SignedHead?> SignAsync(CancellationToken cancellationToken)
    {
        var key = signingKey ?? throw new InvalidOperationException("signing the chain head needs the pharmacy key");
        if (await audit.LatestAsync(cancellationToken) is not { } latest || latest.Event.Type == AuditEventTypes.ChainHeadSigned)
        {
            return null;
        }
        // 1311.215(a)(5): every event since the last head is checked first; one the service did not write is never signed over.
        if (database.ChainKeys is { } chainKeys)
        {
            await ChainIntrusions.RecordAsync(database, audit, chainKeys, time.GetUtcNow(), cancellationToken);
        }
        // Taken before the head is read: the ledger's blocks up to here, kept under the signature (SQL Server; null on SQLite).
        var ledgerDigest = await database.Dialect.LedgerDigestAsync(cancellationToken);
        // Read again as the one writer: of two instances signing at once, the second finds the head signed and signs nothing.
        var signing = await database.AuditedAsync<(SignedHead Head, byte[] Bytes, byte[] Signature)?>(async (connection, transaction) =>
        {
            if (await connection.QuerySingleOrDefaultAsync<(long Sequence, string Hash)?>(new CommandDefinition(
                    database.Dialect.AuditHeadForAppend, transaction: transaction, cancellationToken: cancellationToken)) is not { } top
                || await AuditLog.ReadAsync(connection, transaction, top.Sequence, cancellationToken) is not { } head
                || head.Event.Type == AuditEventTypes.ChainHeadSigned
                || (database.ChainKeys is { } keys && !keys.Holds(head.Hash, head.Mac)))
            {
                // A head the service did not write (appended since the check above) waits for the next check.
                return (null, [], false);
            }
            // Instances sharing one database each sign into their own data folder, so a head names its signer.
            var signed = new SignedHead(head.Sequence, head.Hash, time.GetUtcNow(), key.Thumbprint, Instance, ledgerDigest);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(signed, Json);
            // Recorded in the chain first: a head file that is later missing is then a finding, never silently absent.
            AuditEvent recorded = new(signed.SignedAt, AuditEventTypes.ChainHeadSigned, Actor, AuditOutcome.Success,
                signed.Sequence.ToString(CultureInfo.InvariantCulture), $"sequence={signed.Sequence}; hash={signed.Hash}; instance={Instance}");
            return ((signed, bytes, key.Sign(bytes)), [recorded], true);
        }, cancellationToken);
        if (signing is not { } done)
        {
            return null;
        }
        var (signedHead, signedBytes, signature) = done;
        await WriteAsync(Folder, signedHead.Sequence, signedBytes, signature, cancellationToken);
        if (secondFolder is not null)
        {
            // The copy outside (and any an unreachable or full second folder missed before); one that fails waits for the next try.
            await secondFolder.CopyMissingAsync(cancellationToken);
        }
        return signedHead;
    }

    /// <summary>A head file read back: the head when its signature verifies with a known certificate, else why not.</summary>
    public sealed record HeadFile(long Sequence, SignedHead? Head, string? Problem);

    /// <summary>Every head file in <c>heads/</c>, each checked against its signature by the pharmacy's key history.</summary>
    public IReadOnlyList<HeadFile> Read() => Read(Folder, keys);

    /// <summary>
    /// The copies in the second folder, checked the same way. They are out of reach of someone with the data folder (and,
    /// where the second folder is on another machine, of someone with the key password too): a rewritten trail that
    /// re-signed its heads in <c>heads/</c> still disagrees with them.
    /// </summary>
    public IReadOnlyList<HeadFile> ReadOutside() => OutsideFolder is { } outside ? Read(outside, keys) : [];

    private static HeadFile[] Read(string folder, PharmacyKeyHistory keys)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }
        var files = new List<HeadFile>();
        foreach (var file in Directory.EnumerateFiles(folder, "head-*.json"))
        {
            if (HeadFileName().Match(Path.GetFileName(file)) is not { Success: true } match)
            {
                continue;
            }
            var sequence = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            files.Add(Check(sequence, file, keys));
        }
        return files.OrderBy(f => f.Sequence).ToArray();
    }

    private static HeadFile Check(long sequence, string file, PharmacyKeyHistory keys)
    {
        var bytes = File.ReadAllBytes(file);
        var signature = Path.ChangeExtension(file, ".sig");
        SignedHead? head;
        try
        {
            head = JsonSerializer.Deserialize<SignedHead>(bytes, Json);
        }
        catch (JsonException)
        {
            head = null;
        }
        if (head is null || head.Sequence != sequence)
        {
            return new(sequence, null, "its content does not parse or names another sequence: it was altered");
        }
        if (!File.Exists(signature))
        {
            return new(sequence, null, "its signature file is missing");
        }
        if (keys.CertificateFor(head.SignerThumbprint) is not { } certificate || !PharmacySigningKey.Verify(certificate, bytes, File.ReadAllBytes(signature)))
        {
            return new(sequence, null, "its signature does not verify with a pharmacy certificate: it was altered");
        }
        return new(sequence, head, null);
    }

    /// <summary>
    /// Copies the head files (and signatures) of heads up to <paramref name="sequence"/> from a <c>heads</c> folder into
    /// <paramref name="root"/>/heads (a backup, a restore); returns each copy with its path relative to <paramref name="root"/>.
    /// </summary>
    public static async Task<IReadOnlyList<(string File, string Relative)>> CopyUpToAsync(string headsFolder, string root, long sequence)
    {
        if (!Directory.Exists(headsFolder))
        {
            return [];
        }
        var copied = new List<(string, string)>();
        foreach (var file in Directory.EnumerateFiles(headsFolder, "head-*.*").Order(StringComparer.Ordinal))
        {
            if (HeadFileName().Match(Path.ChangeExtension(Path.GetFileName(file), ".json")) is not { Success: true } match
                || long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) > sequence)
            {
                continue;
            }
            var relative = Path.Combine("heads", Path.GetFileName(file));
            var target = Path.Combine(root, relative);
            OwnerOnlyFiles.CreateFolder(Path.GetDirectoryName(target)!);
            await OwnerOnlyFiles.CopyAsync(file, target, CancellationToken.None);
            copied.Add((target, relative.Replace('\\', '/')));
        }
        return copied;
    }

    private async Task WriteAsync(string folder, long sequence, byte[] bytes, byte[] signature, CancellationToken cancellationToken)
    {
        OwnerOnlyFiles.CreateFolder(folder);
        var path = Path.Combine(folder, Path.GetFileName(PathOf(sequence)));
        await OwnerOnlyFiles.WriteAsync(path, bytes, cancellationToken);
        await OwnerOnlyFiles.WriteAsync(Path.ChangeExtension(path, ".sig"), signature, cancellationToken);
    }

    /// <summary>Whether a file name is a head file or its signature (<c>head-NNNNNNNNNNNN.json</c> or <c>.sig</c>).</summary>
    public static bool IsHeadFileName(string name) =>
        (name.EndsWith(".json", StringComparison.Ordinal) || name.EndsWith(".sig", StringComparison.Ordinal))
        && HeadFileName().IsMatch(Path.ChangeExtension(name, ".json"));

    [GeneratedRegex(@"^head-(\d{12})\.json$")]
    private static partial Regex HeadFileName();
}
