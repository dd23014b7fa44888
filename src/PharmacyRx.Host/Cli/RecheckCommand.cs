using System.CommandLine;
using PharmacyRx.Host.Verification;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>recheck</c>: one round of what <c>serve</c> does on its schedule — reload trust and CRLs, fetch CRLs near their
/// nextUpdate, and move records pending a revocation check to their verdict. Prints <c>{"checked","moved"}</c>.
/// Needs the key password: each move is sealed with the pharmacy key.
/// </summary>
internal static class RecheckCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var command = new Command("recheck", "Re-check prescriptions pending a revocation check now");
        command.SetAction((parse, cancellationToken) => RunAsync(environment, new DataFolder(parse.GetValue(data)!), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment environment, DataFolder data, CancellationToken cancellationToken)
    {
        if (await CommandContext.OpenSigningAsync(data, environment, cancellationToken) is not { } context)
        {
            return 2;
        }
        await using (context)
        {
            var verification = context.Get<SignatureVerification>();
            await verification.ReloadAsync(cancellationToken);
            await verification.RefreshExpiringAsync(cancellationToken);
            var summary = await context.Get<PendingRecheck>().RunAsync(cancellationToken);
            CliJson.WriteLine(environment.Out, new { @checked = summary.Checked, moved = summary.Moved });
            return 0;
        }
    }
}
