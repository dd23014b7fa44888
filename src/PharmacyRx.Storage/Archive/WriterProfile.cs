using System.Diagnostics;

namespace PharmacyRx.Storage.Archive;

/// <summary>
/// Where the archive writer's single thread spends its time: <see cref="Stopwatch"/> ticks accumulated per stage of a
/// commit. Written by the writer's loop alone (one thread at a time), read by the benchmark once the writer is idle.
/// Two timestamps per stage per message cost far less than the stages themselves.
/// </summary>
internal sealed class WriterProfile
{
    /// <summary>The stages, in the order a commit runs them.</summary>
    public enum Stage
    {
        /// <summary>BEGIN: the write lock.</summary>
        Begin,

        /// <summary>The dedupe lookup on (sender, MessageID, bytes).</summary>
        Lookup,

        /// <summary>The archive row's values and its receipt audit event, in .NET.</summary>
        RowValues,

        /// <summary>INSERT of the archive row, with its indexes.</summary>
        ArchiveInsert,

        /// <summary>The archive row's coverage hash from its values.</summary>
        RowHash,

        /// <summary>INSERT of the NewRx's search row (prescription number, name keys), with its indexes.</summary>
        SearchRow,

        /// <summary>Which covered rows the transaction wrote, and the hashes of those not hashed on insert.</summary>
        CoveragePlan,

        /// <summary>The chain head, each event's link hash and its INSERT (receipt events and RowsCovered).</summary>
        AuditChain,

        /// <summary>The lookup copy of covered row hashes (coverage_rows).</summary>
        CoverageLookup,

        /// <summary>COMMIT: the WAL write and its fsync.</summary>
        Commit,

        /// <summary>Completing each caller's task (its continuation is queued to the thread pool).</summary>
        Answer,
    }

    private readonly long[] _ticks = new long[Enum.GetValues<Stage>().Length];

    /// <summary>
    /// For the benchmark on a shared machine: a clock in <see cref="Stopwatch"/> ticks that counts the calling thread's CPU
    /// time, so time the writer spends descheduled is not charged to a stage. Null (wall time) in the service.
    /// </summary>
    internal static Func<long>? ThreadClock { get; set; }

    /// <summary>The start of a stage.</summary>
    public static long Now() => ThreadClock is { } clock ? clock() : Stopwatch.GetTimestamp();

    /// <summary>Adds the time since <paramref name="since"/> to a stage; returns now, the start of the next stage.</summary>
    public long Add(Stage stage, long since)
    {
        var now = Now();
        _ticks[(int)stage] += now - since;
        return now;
    }

    /// <summary>The time spent in each stage so far.</summary>
    public IReadOnlyList<(Stage Stage, TimeSpan Time)> Snapshot() =>
        Enum.GetValues<Stage>().Select(stage => (stage, Stopwatch.GetElapsedTime(0, _ticks[(int)stage]))).ToArray();

    /// <summary>Starts counting again from zero (after a warm-up).</summary>
    public void Reset() => Array.Clear(_ticks);
}
