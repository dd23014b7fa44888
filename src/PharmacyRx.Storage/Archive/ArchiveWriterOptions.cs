using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Storage.Archive;

/// <summary>How the archive groups commits. Bound to the <c>Archive</c> section.</summary>
public sealed class ArchiveWriterOptions
{
    /// <summary>Most messages committed in one transaction. Default 256. One fsync per batch is the lever for throughput.</summary>
    [Range(1, 100_000)]
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>Most messages waiting for the writer before callers wait. Default 8192.</summary>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 8192;
}
