using System.CommandLine;
using System.Security.Cryptography;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Receiving;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>senders add|list|disable</c>: who may submit messages to <c>POST /api/inbound</c> (DESIGN.md, "Trust
/// boundaries"). Each change is audited (1311.215(a)(4)); the actor is the operating-system user.
/// </summary>
internal static class SendersCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var name = new Argument<string>("name") { Description = "Sender name: letters, digits, '.', '-', '_'" };
        var from = new Option<string>("--from") { Description = "The Header/From identifier this sender's messages must carry" };
        var anyFrom = new Option<bool>("--any-from") { Description = "This sender may carry any Header/From (an intermediary): instead of --from" };
        var clientCert = new Option<string>("--client-cert") { Description = "A client certificate file (PEM or DER) that also identifies this sender over mutual TLS" };
        var add = new Command("add", "Add a sender with --from ID or --any-from; prints {\"sender\",\"apiKey\"} once") { name, from, anyFrom, clientCert };
        add.SetAction(async (parse, ct) =>
        {
            if (SenderStore.FromProblem(parse.GetValue(from), parse.GetValue(anyFrom)) is { } problem)
            {
                await environment.Error.WriteLineAsync($"error: {problem}");
                return 2;
            }
            return await AddAsync(parse, ct);
        });
        Task<int> AddAsync(ParseResult parse, CancellationToken ct) => CommandContext.RunInitializedAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            string? thumbprint = null;
            if (parse.GetValue(clientCert) is { } certificateFile)
            {
                if (!File.Exists(certificateFile) || CertificateFiles.ReadDer(certificateFile) is not { } der)
                {
                    await environment.Error.WriteLineAsync($"error: {certificateFile} holds no certificate");
                    return 1;
                }
                thumbprint = Convert.ToHexString(SHA256.HashData(der));
            }
            var added = await Senders(context).AddAsync(parse.GetValue(name)!, parse.GetValue(from), thumbprint, ReceiptSource.CommandLine.Actor, ct);
            if (added.ApiKey is null)
            {
                await environment.Error.WriteLineAsync($"error: {added.Problem}");
                return 1;
            }
            CliJson.WriteLine(environment.Out, new { sender = parse.GetValue(name), apiKey = added.ApiKey });
            return 0;
        });

        var list = new Command("list", "List senders: name, From binding, client certificate, created, disabled");
        list.SetAction((parse, ct) => CommandContext.RunInitializedAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            foreach (var sender in await Senders(context).ListAsync(ct))
            {
                CliJson.WriteLine(environment.Out, sender);
            }
            return 0;
        }));

        var disable = new Command("disable", "Disable a sender: its key and certificate stop working at once") { name };
        disable.SetAction((parse, ct) => CommandContext.RunInitializedAsync(environment, parse.GetValue(data)!, ct, async context =>
        {
            if (!await Senders(context).DisableAsync(parse.GetValue(name)!, ReceiptSource.CommandLine.Actor, ct))
            {
                await environment.Error.WriteLineAsync($"error: no active sender {parse.GetValue(name)}");
                return 1;
            }
            CliJson.WriteLine(environment.Out, new { changed = true });
            return 0;
        }));

        return new Command("senders", "Manage the senders allowed to submit messages") { add, list, disable };
    }

    // The store is the door's (InboundDoor registers it for serve); the command line makes its own over the same database.
    private static SenderStore Senders(CommandContext context) => new(context.Get<PharmacyRx.Storage.Database>(), context.Get<TimeProvider>());
}
