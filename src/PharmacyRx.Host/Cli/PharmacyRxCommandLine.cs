using System.CommandLine;
using System.CommandLine.Invocation;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// The <c>pharmacyrx</c> command: <c>serve</c> (the default), <c>init</c>, <c>ingest</c>, <c>show</c>, <c>verify</c>,
/// <c>trust</c>, <c>crl</c>, <c>recheck</c>, <c>sign-as-prescriber</c>, <c>users</c>, <c>roles</c>, <c>export-records</c>, <c>backup</c>, <c>audit</c>, <c>compliance</c>.
/// </summary>
public static class PharmacyRxCommandLine
{
    public static RootCommand Build(CliEnvironment environment)
    {
        var data = new Option<string>("--data")
        {
            Description = "The data folder: database, keys, inbox",
            DefaultValueFactory = _ => "./data",
            Recursive = true,
        };
        var serve = ServeCommand.Create(environment, data);
        var root = new RootCommand("PharmacyRx: receive, verify and archive electronic prescriptions for controlled substances (21 CFR 1311)")
        {
            data,
            serve,
            InitCommand.Create(environment, data),
            IngestCommand.Create(environment, data),
            ShowCommand.Create(environment, data),
            VerifyCommand.Create(environment, data),
            TrustCommand.Create(environment, data),
            CrlCommand.Create(environment, data),
            RecheckCommand.Create(environment, data),
            SignAsPrescriberCommand.Create(environment),
            UsersCommand.Users(environment, data),
            UsersCommand.Roles(environment, data),
            IdentityProviderCommand.Create(environment, data),
            ExportCommand.Create(environment, data),
            ExportRecordsCommand.Create(environment, data),
            BackupCommand.Create(environment, data),
            AuditCommand.Create(environment, data),
            ComplianceCommand.Create(environment, data),
            KeysCommand.Create(environment, data),
            SendersCommand.Create(environment, data),
        };
        // No verb means serve, with serve's own options (and ASP.NET Core's, such as --urls) passed through.
        root.TreatUnmatchedTokensAsErrors = false;
        foreach (var option in serve.Options)
        {
            root.Options.Add(option);
        }
        var serveAction = (AsynchronousCommandLineAction)serve.Action!;
        root.SetAction(async (parse, cancellationToken) =>
        {
            if (UnknownVerb(parse) is { } verb)
            {
                await environment.Error.WriteLineAsync(
                    $"error: unknown verb '{verb}'; the verbs are: {string.Join(", ", root.Subcommands.Select(c => c.Name))} (none means serve)");
                return 2;
            }
            return await serveAction.InvokeAsync(parse, cancellationToken);
        });
        return root;
    }

    /// <summary>
    /// A word where a verb goes that names none: an unmatched token that is no option and no value of a passed-through
    /// option (<c>--urls URL</c>). Without this check the service would start on a mistyped verb.
    /// </summary>
    private static string? UnknownVerb(ParseResult parse)
    {
        var unmatched = parse.UnmatchedTokens.ToHashSet(StringComparer.Ordinal);
        string? previous = null;
        foreach (var token in parse.Tokens)
        {
            var passedThroughOption = previous is not null && previous.StartsWith('-') && unmatched.Contains(previous) && !previous.Contains('=', StringComparison.Ordinal);
            if (token.Type == System.CommandLine.Parsing.TokenType.Argument && unmatched.Contains(token.Value) && !token.Value.StartsWith('-') && !passedThroughOption)
            {
                return token.Value;
            }
            previous = token.Value;
        }
        return null;
    }

    /// <summary>The exit code (EX_TEMPFAIL) when a storage fault, named on standard error, stopped a verb: run it again once fixed.</summary>
    public const int StorageFaultExit = 75;

    /// <summary>The exit code (EX_CONFIG) when a setting failed its check, named on standard error.</summary>
    public const int ConfigurationExit = 78;

    /// <summary>Runs the command line with the given arguments.</summary>
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment)
    {
        var configuration = new InvocationConfiguration { Output = environment.Out, Error = environment.Error, EnableDefaultExceptionHandler = false };
        try
        {
            return await Build(environment).Parse(args).InvokeAsync(configuration);
        }
        catch (StorageUnavailableException ex)
        {
            // serve and every verb: the database named with the cause, never a fall-back to another database.
            await environment.Error.WriteLineAsync($"error: {ex.Message}");
            return 3;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException ex)
        {
            // serve and every verb: a setting that fails its check stops start-up, named, before anything is opened or written.
            await environment.Error.WriteLineAsync($"error: a setting of {ex.OptionsType.Name} is not valid: {string.Join("; ", ex.Failures)}");
            return ConfigurationExit;
        }
        catch (StorageFaultException ex)
        {
            // Met opening the database or signing the head at the end (a full disk, an I/O error): what was done is printed.
            await environment.Error.WriteLineAsync($"error: storage fault: {ex.Fault.Name}");
            return StorageFaultExit;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // What System.CommandLine's default handler did for every other fault.
            await environment.Error.WriteLineAsync($"Unhandled exception: {ex}");
            return 1;
        }
    }
}
