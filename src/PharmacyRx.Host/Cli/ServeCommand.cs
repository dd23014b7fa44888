using System.CommandLine;
using PharmacyRx.Storage;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>serve</c> (the default verb): the bus consumer, the HTTP API on 127.0.0.1 and the inbox watcher.
/// With <c>--init</c>, an empty data folder is initialized first (the one-command start of the README).
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var init = new Option<bool>("--init") { Description = "Initialize the data folder first if it is empty (prints the init JSON line)" };
        var command = new Command("serve", "Run the service: bus, HTTP API on 127.0.0.1, inbox folder") { init };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => RunAsync(
            environment, new DataFolder(parse.GetValue(data)!), parse.GetValue(init), [.. parse.UnmatchedTokens], cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        CliEnvironment environment, DataFolder data, bool init, string[] hostArgs, CancellationToken cancellationToken)
    {
        if (init && !StorageProvider.IsInitialized(CommandContext.Configuration(), data))
        {
            var initialized = await InitCommand.RunAsync(environment, data, "PharmacyRx pharmacy", "admin", cancellationToken);
            if (initialized != 0)
            {
                return initialized;
            }
        }
        // Owned by the app from here: its container clears the key when the app is disposed. (A test host built from this
        // entry point keeps the app, and with it the key, after Build.)
        var signingKey = SigningKeyLoader.Load(data, environment);
        if (signingKey is null)
        {
            return 2;
        }

        await using var app = ServiceHost.Build(hostArgs, data, signingKey, environment.GetVariable, environment.ConfigureServe);
        // Settings are checked before the data folder is upgraded or anything listens.
        app.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
        await DataFolderUpgrade.RunAsync(app.Services, cancellationToken);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            await environment.Error.WriteLineAsync($"error: cannot listen: {ex.Message}");
            return 1;
        }
        environment.OnServing?.Invoke(app);
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}
