using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PharmacyRx.Core.Verification;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Host.Verification;
using PharmacyRx.Storage.Verification;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>trust add|list|remove</c>: the certification authorities practitioners' certificates chain to, and intermediaries
/// whose signature makes a record IntermediarySigned (1311.210(a)(1), (c)). Each change is audited (1311.215(a)(4)).
/// A running service picks changes up at its next verification refresh.
/// </summary>
internal static class TrustCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var file = new Argument<string>("file") { Description = "Certificate file (PEM or DER)" };
        var intermediary = new Option<bool>("--intermediary")
        {
            Description = "Trust the certificate as an intermediary's signing certificate rather than as a certification authority",
        };
        var add = new Command("add", "Trust a certification authority (or, with --intermediary, an intermediary)") { file, intermediary };
        add.SetAction((parse, cancellationToken) => AddAsync(
            environment, new DataFolder(parse.GetValue(data)!), parse.GetValue(file)!, parse.GetValue(intermediary), cancellationToken));

        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var list = new Command("list", "List trusted certificates") { format };
        list.SetAction((parse, cancellationToken) => ListAsync(environment, new DataFolder(parse.GetValue(data)!), parse.GetValue(format)!, cancellationToken));

        var thumbprint = new Argument<string>("thumbprint") { Description = "SHA-256 thumbprint as trust list prints it" };
        var remove = new Command("remove", "Stop trusting a certificate") { thumbprint };
        remove.SetAction((parse, cancellationToken) => RemoveAsync(
            environment, new DataFolder(parse.GetValue(data)!), parse.GetValue(thumbprint)!, cancellationToken));

        return new Command("trust", "Manage trusted certification authorities and intermediaries") { add, list, remove };
    }

    private static async Task<int> AddAsync(CliEnvironment environment, DataFolder data, string file, bool intermediary, CancellationToken cancellationToken)
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
            var result = await context.Get<TrustAdministration>().TrustAsync(
                await File.ReadAllBytesAsync(file, cancellationToken), intermediary, ReceiptSource.CommandLine.Actor, cancellationToken);
            if (result.Trusted is not { } trusted)
            {
                await environment.Error.WriteLineAsync(result.Refusal switch
                {
                    TrustAdministration.NotAnAuthority =>
                        $"error: {TrustAdministration.NotAnAuthority}; use --intermediary to trust an intermediary's signing certificate",
                    { } refusal when refusal.StartsWith("certificate refused", StringComparison.Ordinal) => $"error: {refusal}",
                    var refusal => $"error: {file}: {refusal}",
                });
                return 1;
            }
            var added = result.Added;
            CliJson.WriteLine(environment.Out, new
            {
                thumbprint = trusted.Thumbprint,
                purpose = trusted.Purpose.ToString(),
                subject = trusted.Subject,
                notAfter = trusted.NotAfter,
                added,
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
            var trusted = await context.Get<TrustStore>().ListAsync(cancellationToken);
            foreach (var certificate in trusted)
            {
                if (format == "json")
                {
                    CliJson.WriteLine(environment.Out, new
                    {
                        thumbprint = certificate.Thumbprint,
                        purpose = certificate.Purpose.ToString(),
                        subject = certificate.Subject,
                        notAfter = certificate.NotAfter,
                    });
                }
                else
                {
                    await environment.Out.WriteLineAsync(
                        $"{certificate.Thumbprint}  {certificate.Purpose,-12}  until {certificate.NotAfter:yyyy-MM-dd}  {certificate.Subject}");
                }
            }
            if (format == "text" && trusted.Count == 0)
            {
                await environment.Out.WriteLineAsync("no trusted certificates (pharmacyrx trust add FILE.crt)");
            }
            return 0;
        }
    }

    private static async Task<int> RemoveAsync(CliEnvironment environment, DataFolder data, string thumbprint, CancellationToken cancellationToken)
    {
        if (await CommandContext.OpenInitializedAsync(data, environment, cancellationToken) is not { } context)
        {
            return 2;
        }
        await using (context)
        {
            var normalized = thumbprint.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
            if (!await context.Get<TrustStore>().RemoveAsync(normalized, ReceiptSource.CommandLine.Actor, cancellationToken))
            {
                await environment.Error.WriteLineAsync($"error: no trusted certificate has thumbprint {thumbprint}");
                return 1;
            }
            CliJson.WriteLine(environment.Out, new { thumbprint = normalized, removed = true });
            return 0;
        }
    }
}
