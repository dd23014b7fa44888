using System.Globalization;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Receiving;

/// <summary>
/// The periods when ingest was refused for a <see cref="StorageFault"/>: one audit event when refusing starts and one
/// naming the whole period when a message is archived again (1311.215(a)(3)), never one a message. Events that cannot be
/// written yet (the disk is full) wait and are written by the next <see cref="RecordAsync"/>.
/// </summary>
public sealed partial class IngestRefusals(AuditLog audit, TimeProvider time, ILogger<IngestRefusals> logger)
{
    public const string Actor = "system:ingest";
    private readonly Lock _gate = new();
    private readonly List<AuditEvent> _pending = [];
    private Period? _open;

    /// <summary>The refusal under way: since when, the last fault, how many messages so far; null while ingest is accepted.</summary>
    public Period? Current
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    /// <summary>A message was refused for <paramref name="fault"/>.</summary>
    public void Refused(StorageFault fault)
    {
        lock (_gate)
        {
            if (_open is null)
            {
                var since = time.GetUtcNow();
                _open = new Period(since, fault.Name, 0);
                _pending.Add(new AuditEvent(since, AuditEventTypes.IngestRefused, Actor, AuditOutcome.Failure, "ingest",
                    $"refusing messages since {Instant(since)}: {fault.Name}"));
                LogStarted(logger, fault.Name);
            }
            _open = _open with { LastFault = fault.Name, Refusals = _open.Refusals + 1 };
        }
    }

    /// <summary>A message was archived: a refusal under way has ended.</summary>
    public void Archived()
    {
        if (Volatile.Read(ref _open) is null)
        {
            return;
        }
        lock (_gate)
        {
            if (_open is not { } period)
            {
                return;
            }
            var until = time.GetUtcNow();
            _pending.Add(new AuditEvent(until, AuditEventTypes.IngestResumed, Actor, AuditOutcome.Success, "ingest",
                $"ingest was refused from {Instant(period.Since)} to {Instant(until)} ({period.Refusals} refusals, every message handed back to its sender); last fault: {period.LastFault}"));
            _open = null;
            LogEnded(logger, period.Refusals);
        }
    }

    /// <summary>Writes the events waiting; those that still cannot be written wait for the next call.</summary>
    public async Task RecordAsync(CancellationToken cancellationToken)
    {
        AuditEvent[] waiting;
        lock (_gate)
        {
            waiting = [.. _pending];
        }
        if (waiting.Length == 0)
        {
            return;
        }
        await audit.AppendAsync(waiting, cancellationToken);
        lock (_gate)
        {
            _pending.RemoveRange(0, waiting.Length);
        }
    }

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A refusal under way.</summary>
    public sealed record Period(DateTimeOffset Since, string LastFault, long Refusals);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refusing messages: storage fault {Fault}; nothing is archived as rejected, senders are told to retry")]
    private static partial void LogStarted(ILogger logger, string fault);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting messages again after {Refusals} refusals")]
    private static partial void LogEnded(ILogger logger, long refusals);
}
