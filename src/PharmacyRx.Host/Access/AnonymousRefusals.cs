using System.Globalization;
using System.Net;
using System.Text;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Access;

/// <summary>
/// Refusals of callers without credentials, audited per window and address group (IPv4 /24, IPv6 /64) as one counted
/// <c>UnauthorizedAccessAttempt</c> (1311.215(a)(1)); 429 past <see cref="AnonymousOptions.RefusalsPerWindow"/>; groups
/// past <see cref="AnonymousOptions.GroupsPerWindow"/> share one event.
/// </summary>
internal sealed partial class AnonymousRefusals(
    AuditLog audit, TimeProvider time, AnonymousOptions options, Operations.OperationsMetrics metrics, ILogger<AnonymousRefusals> logger)
    : BackgroundService
{
    /// <summary>The group that stands for every group past <see cref="AnonymousOptions.GroupsPerWindow"/> in a window.</summary>
    public const string OtherGroups = "other";

    // How many of the groups summed into "other" are told apart in a window (memory stays bounded under any flood).
    private const int MaxGroupsCounted = 10_000;

    private readonly Lock _gate = new();
    private Window _current = new(time.GetUtcNow());

    /// <summary>
    /// Counts one refusal of <paramref name="function"/> for the caller's address; false when the window's cap is spent,
    /// and the caller answers 429 rather than 401.
    /// </summary>
    public bool Refuse(HttpContext context, string function) => Count(context.Connection.RemoteIpAddress, function, rateLimited: false);

    /// <summary>Counts a request refused for its group's rate (429), audited in the same summary.</summary>
    public void RateLimited(HttpContext context, string function) => Count(context.Connection.RemoteIpAddress, function, rateLimited: true);

    /// <summary>When the current window ends: what Retry-After says past the cap.</summary>
    public TimeSpan UntilNextWindow
    {
        get
        {
            lock (_gate)
            {
                return _current.Start + options.Window - time.GetUtcNow() is { } left && left > TimeSpan.Zero ? left : TimeSpan.FromSeconds(1);
            }
        }
    }

    /// <summary>The address group a refusal is counted under: IPv4 /24 and IPv6 /64, so a host cannot pass for many.</summary>
    public static string Group(IPAddress? address) => Storage.Access.ClientAddress.Of(address).Group;

    private bool Count(IPAddress? address, string function, bool rateLimited)
    {
        metrics.AnonymousRefused(rateLimited);
        var group = Group(address);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (now - _current.Start >= options.Window)
            {
                _ended.Enqueue(_current);
                _current = new Window(now);
            }
            var window = _current;
            var overCap = !rateLimited && window.Refused >= options.RefusalsPerWindow;
            if (!rateLimited && !overCap)
            {
                window.Refused++;
            }
            var key = window.Groups.Count < options.GroupsPerWindow || window.Groups.ContainsKey(group) ? group : OtherGroups;
            if (!window.Groups.TryGetValue(key, out var tally))
            {
                window.Groups[key] = tally = new Tally();
            }
            if (key == OtherGroups && tally.GroupsSeen.Count < MaxGroupsCounted)
            {
                tally.GroupsSeen.Add(group.GetHashCode(StringComparison.Ordinal));
            }
            tally.Requests++;
            tally.Answered401 += !rateLimited && !overCap ? 1 : 0;
            tally.Answered429 += rateLimited || overCap ? 1 : 0;
            if (tally.Functions.Count < 5)
            {
                tally.Functions.Add(function);
            }
            return !overCap;
        }
    }

    private readonly Queue<Window> _ended = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await PeriodicWork.RunAsync(options.Window / 4, time, _ => FlushAsync(all: false), ex => LogFlushFailed(logger, ex), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // What the last, unfinished window counted is audited too as the service stops.
        await FlushAsync(all: true);
    }

    /// <summary>Audits every ended window (and the current one too when <paramref name="all"/>): one event per group.</summary>
    internal async Task FlushAsync(bool all)
    {
        List<Window> windows;
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (now - _current.Start >= options.Window || (all && _current.Groups.Count > 0))
            {
                _ended.Enqueue(_current);
                _current = new Window(now);
            }
            windows = [.. _ended];
            _ended.Clear();
        }
        var events = new List<AuditEvent>();
        foreach (var window in windows)
        {
            foreach (var (group, tally) in window.Groups)
            {
                var more = tally.GroupsSeen.Count >= MaxGroupsCounted ? $"{MaxGroupsCounted}+" : tally.GroupsSeen.Count.ToString(CultureInfo.InvariantCulture);
                var groups = group == OtherGroups ? $"group={OtherGroups} ({more} more groups)" : $"group={group}";
                events.Add(new AuditEvent(now, AuditEventTypes.UnauthorizedAccessAttempt, "anonymous", AuditOutcome.Failure, "anonymous requests",
                    $"{groups}; refused={tally.Requests.ToString(CultureInfo.InvariantCulture)}; answered401={tally.Answered401.ToString(CultureInfo.InvariantCulture)}; "
                    + $"answered429={tally.Answered429.ToString(CultureInfo.InvariantCulture)}; required=credentials; functions={Functions(tally)}; "
                    + $"window={Core.Receiving.ReceiptSeal.FormatTimestamp(window.Start)}/{options.Window}; summarised once per window and group"));
            }
        }
        if (events.Count > 0)
        {
            await audit.AppendAsync(events, CancellationToken.None);
        }
    }

    private static string Functions(Tally tally)
    {
        var text = new StringBuilder();
        foreach (var function in tally.Functions)
        {
            text.Append(text.Length > 0 ? ", " : "").Append(Core.Access.TextLimits.ForAudit(function));
        }
        return text.ToString();
    }

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;

        public long Refused { get; set; }

        public Dictionary<string, Tally> Groups { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Tally
    {
        public long Requests { get; set; }

        public long Answered401 { get; set; }

        public long Answered429 { get; set; }

        public HashSet<string> Functions { get; } = new(StringComparer.Ordinal);

        // Hashes of the groups summed into "other", to say how many; bounded by the requests of one window.
        public HashSet<int> GroupsSeen { get; } = [];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auditing the anonymous refusals of a window failed; trying again at the next tick")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
