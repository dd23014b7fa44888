using Microsoft.Extensions.Configuration;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Compliance;
using PharmacyRx.Host.Keys;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage;
using Serilog;
using Serilog.Events;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// What a command-line verb other than <c>serve</c> runs on: configuration, logging to standard error (standard
/// output is for results), and the services of <see cref="PharmacyRxServices"/>.
/// </summary>
internal sealed class CommandContext : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly PharmacySigningKey? _ownedKey;

    private CommandContext(IHost host, PharmacySigningKey? ownedKey = null)
    {
        _host = host;
        _ownedKey = ownedKey;
    }

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public static IConfiguration Configuration() => AddSources(new ConfigurationBuilder()).Build();

    // The verbs' settings: appsettings.json beside the program, then the environment (Verification__AllowSha1, and the
    // PHARMACYRX_-prefixed names). Added as sources, not chained, so compliance can tell where a value came from.
    private static IConfigurationBuilder AddSources(IConfigurationBuilder builder) => builder
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .AddEnvironmentVariables("PHARMACYRX_");

    public static CommandContext Open(DataFolder data, PharmacySigningKey? signingKey, ChainKeyRing? chainKeys = null) =>
        new(Services(data, signingKey, pin: null, variables: null, chainKeys));

    /// <summary>The chain keys of the data folder's pharmacy key, or null (the reason on standard error).</summary>
    public static ChainKeyRing? ChainKeys(DataFolder data, CliEnvironment environment)
    {
        if (SigningKeyLoader.Load(data, environment) is not { } signingKey)
        {
            return null;
        }
        using (signingKey)
        {
            return new ChainKeyRing(ChainKey.Derive(signingKey));
        }
    }

    // The same registrations as serve (PharmacyRxServices), on a host builder, with the settings checked before the verb runs.
    private static IHost Services(DataFolder data, PharmacySigningKey? signingKey, string? pin, Func<string, string?>? variables,
        ChainKeyRing? chainKeys = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        AddSources(builder.Configuration);
        builder.Logging.AddSerilog(new LoggerConfiguration()
            .MinimumLevel.Warning()
            .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .CreateLogger(), dispose: true);
        builder.Services.AddPharmacyRx(builder.Configuration, data, signingKey, chainKeys, variables);
        if (!string.IsNullOrWhiteSpace(pin))
        {
            // The last registration wins: everything that checks a pharmacy signature checks it against the pinned history.
            builder.Services.AddSingleton(provider => PharmacyKeyHistory.Load(data, provider.GetRequiredService<BackupOptions>().SecondFolder, pin));
        }
        var host = builder.Build();
        try
        {
            host.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return host;
    }

    /// <summary>
    /// Opens an initialized data folder with its schema up to date, or says on standard error why not (null). With a
    /// <paramref name="pin"/>, the pharmacy's key history is checked against it (<c>--pin THUMBPRINT</c>).
    /// </summary>
    public static async Task<CommandContext?> OpenInitializedAsync(
        DataFolder data, CliEnvironment environment, CancellationToken cancellationToken, string? pin = null)
    {
        if (!StorageProvider.IsInitialized(Configuration(), data))
        {
            await environment.Error.WriteLineAsync($"error: {data.Root} is not initialized");
            return null;
        }
        // With the key password in the environment the verb may write (its events keyed); without it, it only reads.
        ChainKeyRing? chainKeys = null;
        if (KeyPasswordSource.Read(environment.GetVariable, out _) is { } password)
        {
            Array.Clear(password);
            if ((chainKeys = ChainKeys(data, environment)) is null)
            {
                return null;
            }
        }
        var context = new CommandContext(Services(data, signingKey: null, pin, environment.GetVariable, chainKeys));
        await context.OpenAsync(cancellationToken);
        return context;
    }

    /// <summary>Runs a verb's body on the initialized data folder, disposing the context after; exit 2 when it cannot be opened.</summary>
#pragma warning disable CA1068 // the verb's body reads best as the last argument
    public static async Task<int> RunInitializedAsync(CliEnvironment environment, string data, CancellationToken cancellationToken, Func<CommandContext, Task<int>> run)
    {
        if (await OpenInitializedAsync(new DataFolder(data), environment, cancellationToken) is not { } context)
        {
            return 2;
        }
        await using (context)
        {
            return await run(context);
        }
    }
#pragma warning restore CA1068

    /// <summary>
    /// For verbs that sign (ingest, recheck, backup, audit report): loads the pharmacy key with the password from the
    /// environment, then opens the initialized data folder with it; the context clears the key when disposed. Null, with
    /// the reason on standard error, when either fails.
    /// </summary>
    public static async Task<CommandContext?> OpenSigningAsync(DataFolder data, CliEnvironment environment, CancellationToken cancellationToken)
    {
        if (SigningKeyLoader.Load(data, environment) is not { } signingKey)
        {
            return null;
        }
        var context = new CommandContext(Services(data, signingKey, pin: null, environment.GetVariable), signingKey);
        await context.OpenAsync(cancellationToken);
        return context;
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => DataFolderUpgrade.RunAsync(_host.Services, cancellationToken);

    // A storage fault met opening the database (a full disk cannot even take SQLite's WAL) is thrown as the one
    // classification the doors use, with nothing written and no head signed.
    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            await MigrateAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && StorageFault.Of(ex, Get<ISqlDialect>()) is { } fault)
        {
            var named = fault.Explained(Get<FreeSpaceMonitor>().Read());
            await CloseAsync();
            throw new StorageFaultException(named, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        StorageFaultException? unsigned = null;
        if (_ownedKey is not null)
        {
            // A verb that could sign may have written: sign the chain head it leaves (1311.215(a)(5)), once, at the end.
            // A storage fault leaves it for the next signing; what the verb committed stays committed.
            try
            {
                await _host.Services.GetRequiredService<Integrity.ChainHeads>().SignAsync(CancellationToken.None);
            }
            catch (Exception ex) when (StorageFault.Of(ex, Get<ISqlDialect>()) is { } fault)
            {
                unsigned = new StorageFaultException(fault, ex);
            }
        }
        await CloseAsync();
        if (unsigned is not null)
        {
            throw unsigned;
        }
    }

    private async Task CloseAsync()
    {
        if (_host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }
        _ownedKey?.Dispose();
    }
}
