using System.CommandLine;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Signing;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Keys;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>verify [--pin THUMBPRINT]</c>: re-checks every archived record against its signature and as-received bytes, and the
/// audit chain, with the pharmacy's key history (pinned by <c>--pin</c> or the copy in <c>Backup:SecondFolder</c>).
/// Exit 0 when all hold; 1 with the list of what does not. Warnings (an unpinned history, files others can read) follow
/// the summary and do not change the exit code. The run itself is audited.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var pin = new Option<string?>("--pin") { Description = "The SHA-256 thumbprint of the pharmacy's first certificate, printed by init" };
        var command = new Command("verify", "Re-check every archived record and the audit chain") { pin };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(environment, new DataFolder(parse.GetValue(data)!), parse.GetValue(pin), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment environment, DataFolder data, string? pin, CancellationToken cancellationToken)
    {
        if (await CommandContext.OpenInitializedAsync(data, environment, cancellationToken, pin) is not { } opened)
        {
            return 2;
        }
        await using var context = opened;
        var keys = context.Get<PharmacyKeyHistory>();
        var report = await context.Get<ArchiveVerifier>().VerifyAsync(cancellationToken);
        string[] problems = [.. keys.Problems.Select(problem => $"key history: {problem}"), .. report.Problems];
        var audit = context.Get<AuditLog>();
        // Without the key password the run reads only: it checks no MAC and cannot write to the keyed trail.
        if (audit.ChainKeys is not null)
        {
            await audit.AppendAsync(
            [new AuditEvent(TimeProvider.System.GetUtcNow(), AuditEventTypes.ArchiveVerified, ReceiptSource.CommandLine.Actor,
                problems.Length == 0 ? AuditOutcome.Success : AuditOutcome.Failure, data.Root,
                $"records={report.RecordsChecked}; auditEvents={report.AuditEventsChecked}; problems={problems.Length}; pinned={keys.IsPinned}")],
            cancellationToken);
        }

        foreach (var problem in problems)
        {
            await environment.Out.WriteLineAsync($"FAIL {problem}");
        }
        await environment.Out.WriteLineAsync(problems.Length == 0
            ? $"OK: {report.RecordsChecked} records and {report.AuditEventsChecked} audit events verified"
            : $"FAILED: {problems.Length} problems in {report.RecordsChecked} records and {report.AuditEventsChecked} audit events");
        await environment.Out.WriteLineAsync(audit.ChainKeys is null ? $"WARN {report.Keyed}" : report.Keyed);
        foreach (var warning in report.Warnings)
        {
            await environment.Out.WriteLineAsync($"WARN {warning}");
        }
        if (!keys.IsPinned)
        {
            await environment.Out.WriteLineAsync($"WARN {PharmacyKeyHistory.NotPinnedWarning}");
        }
        // 1311.205(b)(5): the records are the service user's alone; a looser mode is said, not fixed behind the owner's back.
        foreach (var loose in OwnerOnlyFiles.FindLoose(data.Root))
        {
            await environment.Out.WriteLineAsync($"WARN {loose}");
        }
        await environment.Out.WriteLineAsync(report.Truncation);
        return problems.Length == 0 ? 0 : 1;
    }
}
