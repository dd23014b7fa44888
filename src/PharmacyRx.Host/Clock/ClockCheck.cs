using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Clock;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Clock;

/// <summary>
/// Checks the clock against an NTP server at start-up and every <see cref="ClockOptions.Interval"/>
/// (1311.205(b)(4)(v)). A skew over <see cref="ClockOptions.MaxSkew"/>, or a check that cannot be made, is audited as
/// interference with operations (1311.215(a)(3)) and shown in <c>/health/ready</c>.
/// </summary>
public sealed partial class ClockCheck(ClockOptions options, AuditLog audit, TimeProvider time, ILogger<ClockCheck> logger) : BackgroundService
{
    public const string Actor = "system:clock";

    private ClockStatus? _last;

    /// <summary>The latest check, or null before the first.</summary>
    public ClockStatus? Last => Volatile.Read(ref _last);

    /// <summary>Asks the server now, records the result, and audits a skew out of bounds or a failed check.</summary>
    public async Task<ClockStatus> CheckAsync(CancellationToken cancellationToken)
    {
        var reading = await SntpClient.ReadAsync(options.Server, options.Port, time, options.Timeout, cancellationToken);
        var status = new ClockStatus(time.GetUtcNow(), options.Server, reading.Offset, reading.Problem,
            reading.Offset is { } offset && offset.Duration() <= options.MaxSkew);
        Volatile.Write(ref _last, status);
        if (reading.Offset is { } skew && !status.WithinBounds)
        {
            LogOutOfBounds(logger, skew.TotalSeconds, options.Server);
            await audit.AppendAsync([new AuditEvent(status.CheckedAt, AuditEventTypes.ClockOutOfBounds, Actor, AuditOutcome.Failure, options.Server,
                $"skew={skew.TotalSeconds:0.###} s; limit={options.MaxSkew.TotalSeconds:0} s (1311.205(b)(4)(v))")], cancellationToken);
        }
        else if (reading.Offset is null)
        {
            LogFailed(logger, options.Server, reading.Problem);
            await audit.AppendAsync([new AuditEvent(status.CheckedAt, AuditEventTypes.ClockCheckFailed, Actor, AuditOutcome.Failure, options.Server,
                reading.Problem)], cancellationToken);
        }
        return status;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }
        await PeriodicWork.RunAsync(options.Interval, time, CheckAsync, ex => LogCheckCrashed(logger, ex), stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clock is {Seconds} s off {Server}: outside 1311.205(b)(4)(v) bounds")]
    private static partial void LogOutOfBounds(ILogger logger, double seconds, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clock check against {Server} failed: {Problem}")]
    private static partial void LogFailed(ILogger logger, string server, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Clock check crashed")]
    private static partial void LogCheckCrashed(ILogger logger, Exception exception);
}
