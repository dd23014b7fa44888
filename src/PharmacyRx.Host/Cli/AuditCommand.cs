using System.CommandLine;
using System.Globalization;
using PharmacyRx.Core.Clock;
using PharmacyRx.Host.Audit;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>audit report --date D [--format txt|html|csv|json]</c>: the day's incident report (1311.215(b)), written first when
/// there is none (which needs the key password: the chain head is signed); <c>audit reports</c> lists the days;
/// <c>audit incidents</c> decides and reports security incidents (<see cref="AuditIncidentsCommand"/>).
/// </summary>
internal static class AuditCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var date = new Option<string>("--date") { Description = "The day, yyyy-MM-dd: a day in the pharmacy's time zone (Pharmacy:TimeZone)", Required = true };
        var format = new Option<string>("--format") { Description = "txt, html, csv or json", DefaultValueFactory = _ => "txt" };
        format.AcceptOnlyFromAmong("txt", "html", "csv", "json");
        var report = new Command("report", "Print (and write, if missing) the audit report of a day") { date, format };
        report.SetAction((parse, ct) => ReportAsync(environment, new DataFolder(parse.GetValue(data)!), parse.GetValue(date)!, parse.GetValue(format)!, ct));
        var reports = new Command("reports", "List the days that have an audit report");
        reports.SetAction((parse, ct) => ListAsync(environment, new DataFolder(parse.GetValue(data)!), ct));
        return new Command("audit", "The daily audit analysis (1311.215(b)) and the security incidents (1311.215(c))")
        {
            report, reports, AuditIncidentsCommand.Create(environment, data),
        };
    }

    private static async Task<int> ReportAsync(CliEnvironment environment, DataFolder data, string date, string format, CancellationToken cancellationToken)
    {
        var (parsed, error) = DayRange.Parse(date, "--date");
        if (parsed is not { } day)
        {
            await environment.Error.WriteLineAsync($"error: {error ?? $"--date is yyyy-MM-dd, {DayRange.Text}"}");
            return 2;
        }
        if (await CommandContext.OpenInitializedAsync(data, environment, cancellationToken) is { } reading)
        {
            await using (reading)
            {
                if (reading.Get<AuditReporter>().Read(day, format) is { } stored)
                {
                    await environment.Out.WriteAsync(stored);
                    return 0;
                }
            }
        }
        else
        {
            return 2;
        }
        if (await CommandContext.OpenSigningAsync(data, environment, cancellationToken) is not { } signing)
        {
            return 2;
        }
        await using var context = signing;
        var reporter = context.Get<AuditReporter>();
        await reporter.GenerateAsync(day, cancellationToken);
        await environment.Out.WriteAsync(reporter.Read(day, format));
        return 0;
    }

    private static async Task<int> ListAsync(CliEnvironment environment, DataFolder data, CancellationToken cancellationToken)
    {
        if (await CommandContext.OpenInitializedAsync(data, environment, cancellationToken) is not { } context)
        {
            return 2;
        }
        await using (context)
        {
            foreach (var day in context.Get<AuditReporter>().Days())
            {
                await environment.Out.WriteLineAsync(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }
            return 0;
        }
    }
}
