using System.CommandLine;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Verification;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Host.Verification;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Verification;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>crl import|list</c>: certificate revocation lists brought in by hand (1311.210(c)(2)) and every CRL the service
/// holds. A CRL whose issuer is a trusted authority must verify with its key; one from another issuer is kept and used
/// only once a certification path shows its issuer's key verifies it. Imports and refusals are audited.
/// </summary>
internal static class CrlCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var file = new Argument<string>("file") { Description = "CRL file (DER or PEM)" };
        var import = new Command("import", "Import a CRL") { file };
        import.SetAction((parse, cancellationToken) => ImportAsync(environment, new DataFolder(parse.GetValue(data)!), parse.GetValue(file)!, cancellationToken));

        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var list = new Command("list", "List stored CRLs: issuer, number, thisUpdate, nextUpdate, source") { format };
        list.SetAction((parse, cancellationToken) => ListAsync(environment, new DataFolder(parse.GetValue(data)!), parse.GetValue(format)!, cancellationToken));

        return new Command("crl", "Manage certificate revocation lists") { import, list };
    }

    private static async Task<int> ImportAsync(CliEnvironment environment, DataFolder data, string file, CancellationToken cancellationToken)
    {
        if (await CommandContext.OpenInitializedAsync(data, environment, cancellationToken) is not { } context)
        {
            return 2;
        }
        await using (context)
        {
            if (!File.Exists(file))
            {
                await environment.Error.WriteLineAsync($"error: {file} not found");
                return 1;
            }
            var result = await context.Get<TrustAdministration>().ImportCrlAsync(
                await File.ReadAllBytesAsync(file, cancellationToken), $"import:{Path.GetFileName(file)}", ReceiptSource.CommandLine.Actor, cancellationToken);
            if (result.List is not { } list)
            {
                await environment.Error.WriteLineAsync($"error: CRL refused: {result.Refusal}");
                return 1;
            }
            var stored = result.Stored;
            CliJson.WriteLine(environment.Out, new
            {
                issuer = list.Issuer,
                number = list.Number,
                thisUpdate = list.ThisUpdate,
                nextUpdate = list.NextUpdate,
                sha256 = list.Sha256,
                stored,
            });
            return 0;
        }
    }


    private static async Task<int> ListAsync(CliEnvironment environment, DataFolder data, string format, CancellationToken cancellationToken)
    {
        if (await CommandContext.OpenInitializedAsync(data, environment, cancellationToken) is not { } context)
        {
            return 2;
        }
        await using (context)
        {
            var lists = await context.Get<CrlStore>().ListAsync(cancellationToken);
            foreach (var crl in lists)
            {
                if (format == "json")
                {
                    CliJson.WriteLine(environment.Out, new
                    {
                        issuer = crl.Issuer,
                        number = crl.CrlNumber,
                        thisUpdate = crl.ThisUpdate,
                        nextUpdate = crl.NextUpdate,
                        source = crl.Source,
                        sha256 = crl.Sha256,
                    });
                }
                else
                {
                    await environment.Out.WriteLineAsync(
                        $"{crl.Issuer}  number {(crl.CrlNumber.Length == 0 ? "-" : crl.CrlNumber)}  thisUpdate {crl.ThisUpdate}  nextUpdate {crl.NextUpdate ?? "-"}  source {crl.Source}");
                }
            }
            if (format == "text" && lists.Count == 0)
            {
                await environment.Out.WriteLineAsync("no CRLs stored (pharmacyrx crl import FILE.crl, or the CRL folder, or distribution points)");
            }
            return 0;
        }
    }
}
