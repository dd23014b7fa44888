using Microsoft.Extensions.Logging.Abstractions;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Testing;

namespace PharmacyRx.Storage.Tests;

/// <summary>A migrated SQLite database file in a temp folder, and entries to put in it.</summary>
internal sealed class SqliteStore : IDisposable
{
    private readonly TempFolder _folder = new();

    public SqliteStore()
    {
        Database = new Database(new SqliteDialect(_folder.File("test.db")), TestChainKeys.Ring());
        new SchemaMigrator(Database, TimeProvider.System).MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public Database Database { get; }

    /// <summary>A second, independent handle on the same file, as another process would have.</summary>
    public Database OpenAnother() => new(new SqliteDialect(_folder.File("test.db")), TestChainKeys.Ring());

    public ArchiveWriter Writer(Database? database = null, int maxBatch = 256) =>
        new(database ?? Database, new ArchiveWriterOptions { MaxBatchSize = maxBatch }, NullLogger<ArchiveWriter>.Instance);

    public static ArchiveEntry Entry(string messageId) => UnsealedEntry.From(new SyntheticNewRx { MessageId = messageId }.ToBytes());

    public void Dispose() => _folder.Dispose();
}
