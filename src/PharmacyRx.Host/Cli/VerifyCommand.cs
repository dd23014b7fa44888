using System.CommandLine;
using PharmacyRx.Core.Audit;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>verify</c>: re-checks every archived record against its signature and as-received bytes, and the audit chain.
/// Exit 0 when all hold; 1 with the list of what does not. The run itself is audited.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var command = new Command("verify", "Re-check every archived record and the audit chain");
        command.SetAction((parse, cancellationToken) => RunAsync(environment, new DataFolder(parse.GetValue(data)!), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment environment, DataFolder data, CancellationToken cancellationToken)
    {
        if (await CommandContext.OpenInitializedAsync(data, environment, cancellationToken) is not { } opened)
        {
            return 2;
        }
        await using var context = opened;
        var report = await context.Get<ArchiveVerifier>().VerifyAsync(cancellationToken);
        await context.Get<AuditLog>().AppendAsync(
            [new AuditEvent(TimeProvider.System.GetUtcNow(), AuditEventTypes.ArchiveVerified, ReceiptSource.CommandLine.Actor,
                report.AllHold ? AuditOutcome.Success : AuditOutcome.Failure, data.Root,
                $"records={report.RecordsChecked}; auditEvents={report.AuditEventsChecked}; problems={report.Problems.Count}")],
            cancellationToken);

        foreach (var problem in report.Problems)
        {
            await environment.Out.WriteLineAsync($"FAIL {problem}");
        }
        await environment.Out.WriteLineAsync(report.AllHold
            ? $"OK: {report.RecordsChecked} records and {report.AuditEventsChecked} audit events verified"
            : $"FAILED: {report.Problems.Count} problems in {report.RecordsChecked} records and {report.AuditEventsChecked} audit events");
        await environment.Out.WriteLineAsync(report.Truncation);
        return report.AllHold ? 0 : 1;
    }
}
