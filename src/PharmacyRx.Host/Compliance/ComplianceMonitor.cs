namespace PharmacyRx.Host.Compliance;

/// <summary>
/// Makes the compliance report in <c>serve</c> at start-up and every <see cref="ComplianceOptions.Interval"/>, so
/// <c>/health/ready</c> can show how many paragraphs fail without making it on every probe.
/// </summary>
public sealed partial class ComplianceMonitor(ComplianceReporter reporter, ComplianceOptions options, TimeProvider time, ILogger<ComplianceMonitor> logger)
    : BackgroundService
{
    private ComplianceReport? _latest;

    /// <summary>The latest report, or null before the first is made.</summary>
    public ComplianceReport? Latest => Volatile.Read(ref _latest);

    /// <summary>Makes the report again now.</summary>
    public async Task<ComplianceReport> RefreshAsync(CancellationToken cancellationToken)
    {
        var report = await reporter.BuildAsync(testResults: null, cancellationToken);
        Volatile.Write(ref _latest, report);
        if (report.Summary.Fail > 0)
        {
            LogFailing(logger, report.Summary.Fail, string.Join(", ", report.Paragraphs.Where(p => p.Status == ComplianceStatus.Fail).Select(p => p.Paragraph)));
        }
        return report;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await PeriodicWork.RunAsync(options.Interval, time, RefreshAsync, ex => LogFailed(logger, ex), stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compliance self-report: {Count} paragraph(s) fail: {Paragraphs}")]
    private static partial void LogFailing(ILogger logger, int count, string paragraphs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Compliance self-report could not be made")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
