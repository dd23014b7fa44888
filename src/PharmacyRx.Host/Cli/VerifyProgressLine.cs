using System.Diagnostics;
using System.Globalization;
using PharmacyRx.Host.Integrity;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// Shows a verify run's progress on standard error while it runs: one line redrawn in place on a terminal, a plain line
/// every <see cref="PlainInterval"/> otherwise (a log, a pipe); standard output stays for the result.
/// </summary>
internal sealed class VerifyProgressLine(TextWriter error, bool terminal, TimeSpan plainInterval)
{
    /// <summary>The variable that sets the seconds between plain lines (default 10).</summary>
    public const string IntervalVariable = "PHARMACYRX_PROGRESS_SECONDS";

    private static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(500);

    public TimeSpan PlainInterval => plainInterval;

    /// <summary>Shows progress until <paramref name="work"/> ends, then a last line with the totals.</summary>
    public async Task ShowAsync(VerifyProgress progress, Task work)
    {
        var clock = Stopwatch.StartNew();
        var width = 0;
        while (await Task.WhenAny(work, Task.Delay(terminal ? TerminalInterval : plainInterval)) != work)
        {
            var line = Format(progress, clock.Elapsed);
            if (terminal)
            {
                await error.WriteAsync($"\r{line.PadRight(width)}");
                width = Math.Max(width, line.Length);
            }
            else
            {
                await error.WriteLineAsync(line);
            }
        }
        if (terminal && width > 0)
        {
            await error.WriteAsync($"\r{new string(' ', width)}\r");
        }
        var seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
        await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"verify: {progress.Records:N0} records and {progress.AuditEvents:N0} audit events in {seconds:N1} s ({progress.Records / seconds:N0} records/s)"));
    }

    /// <summary>A progress line: done of total, the rate, and the time left at that rate when the totals are known.</summary>
    public static string Format(VerifyProgress progress, TimeSpan elapsed)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        var (records, events) = (progress.Records, progress.AuditEvents);
        var (recordRate, eventRate) = (records / seconds, events / seconds);
        var left = Math.Max(
            Left(progress.RecordsTotal - records, recordRate),
            Left(progress.AuditEventsTotal - events, eventRate));
        return string.Create(CultureInfo.InvariantCulture,
            $"verify: {records:N0}{Of(progress.RecordsTotal)} records ({recordRate:N0}/s), {events:N0}{Of(progress.AuditEventsTotal)} audit events ({eventRate:N0}/s)") +
            (left > 0 && double.IsFinite(left) ? $", about {Show(TimeSpan.FromSeconds(left))} left" : "");
    }

    private static double Left(long remaining, double rate) => remaining <= 0 ? 0 : rate > 0 ? remaining / rate : double.PositiveInfinity;

    private static string Of(long total) => total > 0 ? string.Create(CultureInfo.InvariantCulture, $" of {total:N0}") : "";

    private static string Show(TimeSpan left) =>
        left.TotalHours >= 1 ? $"{(int)left.TotalHours} h {left.Minutes:D2} min"
        : left.TotalMinutes >= 1 ? $"{(int)left.TotalMinutes} min {left.Seconds:D2} s"
        : $"{Math.Ceiling(left.TotalSeconds):0} s";
}
