using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Host.Keys;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>verify [--pin THUMBPRINT] [--since-head] [--json]</c>: re-checks archived records against signatures and bytes,
/// and the audit chain, with the key history pinned by <c>--pin</c> or <c>Backup:SecondFolder</c>; <c>--since-head</c>
/// checks only what followed the last proven head (docs/verify.md). Exit 0 when all hold, else 1. Audited.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var pin = new Option<string?>("--pin") { Description = "The SHA-256 thumbprint of the pharmacy's first certificate, printed by init" };
        var sinceHead = new Option<bool>("--since-head") { Description = "Check only what came after the signed head the last full run proved" };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object" };
        var command = new Command("verify", "Re-check every archived record and the audit chain") { pin, sinceHead, json };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(environment, new DataFolder(parse.GetValue(data)!), parse.GetValue(pin), parse.GetValue(sinceHead), parse.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        CliEnvironment environment, DataFolder data, string? pin, bool sinceHead, bool json, CancellationToken cancellationToken)
    {
        if (await CommandContext.OpenInitializedAsync(data, environment, cancellationToken, pin) is not { } opened)
        {
            return 2;
        }
        await using var context = opened;
        var keys = context.Get<PharmacyKeyHistory>();
        var progress = new VerifyProgress();
        var interval = double.TryParse(environment.GetVariable(VerifyProgressLine.IntervalVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && seconds > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(10);
        // On a thread of its own: SQLite completes its reads synchronously, so the caller would not see progress otherwise.
        var verifier = context.Get<ArchiveVerifier>();
        var verifying = Task.Run(() => verifier.VerifyAsync(progress, sinceHead, cancellationToken), cancellationToken);
        await new VerifyProgressLine(environment.Error, environment.ErrorIsTerminal, interval).ShowAsync(progress, verifying);
        var report = await verifying;
        string[] problems = [.. keys.Problems.Select(problem => $"key history: {problem}"), .. report.Problems];
        var mode = report.SinceHead is { } since
            ? $"mode=since-head; sinceHead={since.ToString(CultureInfo.InvariantCulture)}"
            : problems.Length == 0 && report.ProvenHead is { } proven ? ArchiveVerifier.ProofDetails(proven) : "mode=full";
        var audit = context.Get<AuditLog>();
        // Without the key password the run reads only: it checks no MAC and cannot write to the keyed trail.
        if (audit.ChainKeys is not null)
        {
            await audit.AppendAsync(
                [new AuditEvent(TimeProvider.System.GetUtcNow(), AuditEventTypes.ArchiveVerified, ReceiptSource.CommandLine.Actor,
                    problems.Length == 0 ? AuditOutcome.Success : AuditOutcome.Failure, data.Root,
                    $"records={report.RecordsChecked}; auditEvents={report.AuditEventsChecked}; problems={problems.Length}; pinned={keys.IsPinned}; {mode}")],
                cancellationToken);
        }

        // Warnings follow the summary and never change the exit code.
        List<string> warnings = [.. report.Warnings];
        if (audit.ChainKeys is null)
        {
            warnings.Add(report.Keyed);
        }
        if (!keys.IsPinned)
        {
            warnings.Add(PharmacyKeyHistory.NotPinnedWarning);
        }
        // 1311.205(b)(5): the records are the service user's alone; a looser mode is said, not fixed behind the owner's back.
        warnings.AddRange(OwnerOnlyFiles.FindLoose(data.Root));
        if (json)
        {
            await environment.Out.WriteLineAsync(JsonSerializer.Serialize(new
            {
                ok = problems.Length == 0,
                mode = report.SinceHead is null ? "full" : "since-head",
                sinceHead = report.SinceHead,
                provenHead = problems.Length == 0 ? report.ProvenHead : null,
                scope = report.Scope,
                records = report.RecordsChecked,
                auditEvents = report.AuditEventsChecked,
                problems,
                warnings,
                truncation = report.Truncation,
                keyed = report.Keyed,
            }));
            return problems.Length == 0 ? 0 : 1;
        }

        foreach (var problem in problems)
        {
            await environment.Out.WriteLineAsync($"FAIL {problem}");
        }
        await environment.Out.WriteLineAsync(problems.Length == 0
            ? $"OK: {report.RecordsChecked} records and {report.AuditEventsChecked} audit events verified"
            : $"FAILED: {problems.Length} problems in {report.RecordsChecked} records and {report.AuditEventsChecked} audit events");
        await environment.Out.WriteLineAsync($"Checked: {report.Scope}");
        if (audit.ChainKeys is not null)
        {
            await environment.Out.WriteLineAsync(report.Keyed);
        }
        foreach (var warning in warnings)
        {
            await environment.Out.WriteLineAsync($"WARN {warning}");
        }
        await environment.Out.WriteLineAsync(report.Truncation);
        return problems.Length == 0 ? 0 : 1;
    }
}
