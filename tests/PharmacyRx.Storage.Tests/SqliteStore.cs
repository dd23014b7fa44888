using Microsoft.Extensions.Logging.Abstractions;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Testing;

namespace PharmacyRx.Storage.Tests;

/// <summary>A migrated SQLite database file in a temp folder, and entries to put in it.</summary>
internal sealed class SqliteStore : IDisposable
{
    private readonly TempFolder _folder = new();

    public SqliteStore()
    {
        Database = new Database(new SqliteDialect(_folder.File("test.db")));
        new SchemaMigrator(Database, TimeProvider.System).MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public Database Database { get; }

    /// <summary>A second, independent handle on the same file, as another process would have.</summary>
    public Database OpenAnother() => new(new SqliteDialect(_folder.File("test.db")));

    public ArchiveWriter Writer(Database? database = null, int maxBatch = 256) =>
        new(database ?? Database, new ArchiveWriterOptions { MaxBatchSize = maxBatch }, NullLogger<ArchiveWriter>.Instance);

    public static ArchiveEntry Entry(string messageId)
    {
        var bytes = new SyntheticNewRx { MessageId = messageId }.ToBytes();
        var read = new ScriptMessageReader().Read(bytes);
        return new ArchiveEntry
        {
            ReceiptId = Guid.CreateVersion7(),
            ReceivedAt = DateTimeOffset.UtcNow,
            Source = "test",
            Actor = "system:test",
            DedupeKey = $"msg:{messageId}",
            MessageId = messageId,
            Message = read.Message,
            Decision = ReceiptDecision.Decide(read),
            AsReceived = bytes,
            AsReceivedSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)),
            ReceiptSignature = [1, 2, 3],
            SignerThumbprint = "TEST",
        };
    }

    public void Dispose() => _folder.Dispose();
}
