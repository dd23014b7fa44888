using System.CommandLine;
using PharmacyRx.Host.Compliance;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>compliance [--format txt|html|json] [--test-results FILE]</c>: the self-report, each paragraph of 1311.205(b),
/// 1311.210, 1311.215(a)-(c), 1311.305 and 1304.04(h)(5) with live evidence and its tests' last outcomes (a TRX file or
/// <c>scripts/test.sh</c>'s folder). Exit 0 when none fails, else 1, for daily monitoring.
/// </summary>
internal static class ComplianceCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var format = new Option<string>("--format") { Description = "txt, html or json", DefaultValueFactory = _ => "txt" };
        format.AcceptOnlyFromAmong([.. ComplianceReportRenderer.Formats]);
        var testResults = new Option<string?>("--test-results") { Description = "A TRX file or a folder of them (scripts/test.sh writes TestResults/)" };
        var command = new Command("compliance", "Every paragraph of 21 CFR 1311.205-1311.215: its live evidence and its tests") { format, testResults };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(environment, new DataFolder(parse.GetValue(data)!), parse.GetValue(format)!, parse.GetValue(testResults), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment environment, DataFolder data, string format, string? testResults, CancellationToken cancellationToken)
    {
        if (await CommandContext.OpenInitializedAsync(data, environment, cancellationToken) is not { } opened)
        {
            return 2;
        }
        await using var context = opened;
        // A verb has no clock check running: the clock is checked as the report is made.
        var report = await context.Get<ComplianceReporter>().BuildAsync(testResults, cancellationToken, checkClock: true);
        await environment.Out.WriteAsync(await ComplianceReportRenderer.RenderAsync(report, format));
        return report.ExitCode;
    }
}
