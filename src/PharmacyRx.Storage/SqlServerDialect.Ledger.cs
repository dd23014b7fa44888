using System.Text.Json;
using Dapper;
using Microsoft.Data.SqlClient;

namespace PharmacyRx.Storage;

/// <summary>SQL Server's backup on the server and its ledger check.</summary>
public sealed partial class SqlServerDialect
{
    /// <summary>
    /// 1311.205(b)(17): a full copy taken by the server itself, into a folder it can write (Backup:ServerFolder), page
    /// checksums verified as it is written; COPY_ONLY leaves the DBA's own backup chain (differentials, logs) untouched.
    /// Then the file is read back once more (RESTORE VERIFYONLY), so a backup that would not restore is known now.
    /// </summary>
    public const string BackupStatements = """
        DECLARE @Database sysname = DB_NAME();
        BACKUP DATABASE @Database TO DISK = @Path WITH CHECKSUM, COPY_ONLY, INIT, FORMAT;
        GO
        RESTORE VERIFYONLY FROM DISK = @Path WITH CHECKSUM;
        """;

    /// <summary>The ledger's digest now: its latest block, hashed over every ledger table's rows.</summary>
    public const string GenerateLedgerDigest = "EXECUTE sys.sp_generate_database_ledger_digest";

    /// <summary>Recomputes every ledger table's hashes and compares them with the digests given (JSON).</summary>
    public const string LedgerVerification = "EXECUTE sys.sp_verify_database_ledger @Digests";

    public string BackupFileName => "pharmacyrx.sqlserver.json";

    /// <summary>
    /// Has the server write the backup into Backup:ServerFolder, named after the backup folder, verifies it, and writes to
    /// <paramref name="destinationPath"/> where it is (server, database, file), which the signed manifest then covers.
    /// </summary>
    public async Task<string> BackupAsync(string destinationPath, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(_serverBackupFolder))
        {
            throw new InvalidDataException("Backup:ServerFolder is not set: SQL Server writes its backup to a folder on the server");
        }
        // Azure SQL Database (5) and Managed Instance (8) take no backup to a disk: the platform keeps their backups.
        const string where = """
            SELECT CAST(SERVERPROPERTY('EngineEdition') AS int) AS edition, DB_NAME() AS name
            """;
        (int Edition, string Name) database;
        await using (var connection = (SqlConnection)CreateConnection())
        {
            await connection.OpenAsync(cancellationToken);
            database = await connection.QuerySingleAsync<(int, string)>(new CommandDefinition(where, cancellationToken: cancellationToken));
        }
        if (database.Edition is 5 or 8)
        {
            throw new InvalidDataException("backup run cannot write a backup on Azure SQL: the platform keeps its backups (point-in-time restore); "
                + "the pharmacy's backup duty (1311.205(b)(17)) rests on that service there");
        }
        var separator = _serverBackupFolder.Contains('\\', StringComparison.Ordinal) ? '\\' : '/';
        var serverPath = _serverBackupFolder.TrimEnd('/', '\\') + separator + Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(destinationPath))) + ".bak";
        await using (var connection = (SqlConnection)CreateConnection())
        {
            await connection.OpenAsync(cancellationToken);
            foreach (var batch in Batches(BackupStatements))
            {
                // A backup of a large database takes as long as it takes; it is not a query to time out.
                await connection.ExecuteAsync(new CommandDefinition(batch, new { Path = serverPath }, commandTimeout: 0,
                    cancellationToken: cancellationToken));
            }
        }
        await File.WriteAllBytesAsync(destinationPath, JsonSerializer.SerializeToUtf8Bytes(new ServerBackupFile(Target, database.Name, serverPath)), cancellationToken);
        return "ok";
    }

    /// <summary>Reads the backup file back on the server (RESTORE VERIFYONLY … WITH CHECKSUM); "ok" when it would restore.</summary>
    public async Task<string> CheckIntegrityAsync(string path, CancellationToken cancellationToken)
    {
        if (await ReadBackupFileAsync(path, cancellationToken) is not { } backup)
        {
            return $"{Path.GetFileName(path)} does not say where the server put the backup";
        }
        await using var connection = (SqlConnection)CreateConnection();
        await connection.OpenAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(Batches(BackupStatements)[^1], new { backup.Path }, commandTimeout: 0, cancellationToken: cancellationToken));
            return "ok";
        }
        catch (SqlException ex)
        {
            return ex.Message;
        }
    }

    public async Task<string?> RestoreStatementAsync(string backupFile, CancellationToken cancellationToken) =>
        await ReadBackupFileAsync(backupFile, cancellationToken) is { } backup ? RestoreStatement(backup.Database, backup.Path) : null;

    private static async Task<ServerBackupFile?> ReadBackupFileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<ServerBackupFile>(stream, cancellationToken: cancellationToken) is { Database: not null, Path: not null } backup
                ? backup
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Where the server wrote a backup: what the backup folder holds for the database on SQL Server.</summary>
    private sealed record ServerBackupFile(string Server, string Database, string Path);

    /// <summary>
    /// The statement a DBA runs to restore a backup this service took: printed by <c>backup restore</c>, never run by it
    /// (restoring over a live database is the DBA's decision, with the service stopped).
    /// </summary>
    public static string RestoreStatement(string database, string serverPath) =>
        "-- Over the database as it stands, after a tail-log backup (or add REPLACE to give the tail up); on another server, add\n"
        + "-- MOVE for each file that RESTORE FILELISTONLY names.\n"
        + $"RESTORE DATABASE [{database.Replace("]", "]]", StringComparison.Ordinal)}] FROM DISK = N'{serverPath.Replace("'", "''", StringComparison.Ordinal)}' WITH CHECKSUM, RECOVERY;";

    public async Task<string?> LedgerDigestAsync(CancellationToken cancellationToken)
    {
        await using var connection = (SqlConnection)CreateConnection();
        await connection.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string>(new CommandDefinition(GenerateLedgerDigest, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Verifies the database against the digests kept in the signed chain heads, all in one call: a block whose hash no
    /// longer matches what the server said of it when a head was signed was rewritten, even by someone holding the database.
    /// </summary>
    public async Task<IReadOnlyList<string>> VerifyLedgerAsync(IReadOnlyList<string> storedDigests, CancellationToken cancellationToken)
    {
        if (LedgerDigests(storedDigests, out var unreadable) is not { } digests)
        {
            return [.. unreadable];
        }
        await using var connection = (SqlConnection)CreateConnection();
        await connection.OpenAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(LedgerVerification, new { Digests = digests }, commandTimeout: 0, cancellationToken: cancellationToken));
            return unreadable;
        }
        catch (SqlException ex)
        {
            return [.. unreadable, $"SQL Server's ledger verification failed: {ex.Message}"];
        }
    }

    /// <summary>
    /// The JSON array <c>sys.sp_verify_database_ledger</c> takes: each digest object once per block and hash (heads signed
    /// while no ledger transaction committed repeat a block); null when none is left. A digest that is not a JSON object
    /// is named in <paramref name="unreadable"/>.
    /// </summary>
    public static string? LedgerDigests(IEnumerable<string> digests, out IReadOnlyList<string> unreadable)
    {
        var problems = new List<string>();
        var seen = new HashSet<(long, string)>();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var digest in digests)
            {
                if (ReadDigest(digest) is not { } parsed)
                {
                    problems.Add($"a ledger digest kept in a signed chain head is not a digest: {digest}");
                }
                else if (seen.Add((parsed.BlockId, parsed.Hash)))
                {
                    parsed.Element.WriteTo(writer);
                }
            }
            writer.WriteEndArray();
        }
        unreadable = problems;
        return seen.Count == 0 ? null : System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static (long BlockId, string Hash, JsonElement Element)? ReadDigest(string digest)
    {
        try
        {
            using var document = JsonDocument.Parse(digest);
            var element = document.RootElement.Clone();
            return element.ValueKind == JsonValueKind.Object
                && element.TryGetProperty("block_id", out var block) && block.ValueKind == JsonValueKind.Number && block.TryGetInt64(out var blockId)
                && element.TryGetProperty("hash", out var hash) && hash.ValueKind == JsonValueKind.String && hash.GetString() is { } hashText
                ? (blockId, hashText, element)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
