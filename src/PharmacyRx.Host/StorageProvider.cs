using PharmacyRx.Storage;

namespace PharmacyRx.Host;

/// <summary>
/// The database the service keeps its records in: <c>Storage:Provider</c> = <c>Sqlite</c> (the default: the file in the
/// data folder) or <c>SqlServer</c> (<c>ConnectionStrings:PharmacyRx</c>, for a chain's several instances on one database).
/// </summary>
public static class StorageProvider
{
    /// <summary>The database and its schema, and the free space the data folder is watched for.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration, DataFolder data)
    {
        services.AddSingleton(CreateDialect(configuration, data));
        services.AddSingleton<Database>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSettings<Receiving.FreeSpaceOptions>(configuration, "Storage:FreeSpace");
        services.AddSingleton<Receiving.FreeSpaceMonitor>();
        return services;
    }

    public const string Sqlite = "Sqlite";
    public const string SqlServer = "SqlServer";
    public const string ConnectionStringName = "PharmacyRx";

    /// <summary>
    /// The SQLite file of the data folder when it holds the records; null when they are on a server, where nothing opens
    /// or creates a database file in the folder.
    /// </summary>
    public static string? DatabaseFile(IConfiguration configuration, DataFolder data)
    {
        var provider = configuration["Storage:Provider"];
        return string.IsNullOrWhiteSpace(provider) || provider.Equals(Sqlite, StringComparison.OrdinalIgnoreCase) ? data.DatabasePath : null;
    }

    /// <summary>init has run on this data folder: its keys, and on SQLite its database file.</summary>
    public static bool IsInitialized(IConfiguration configuration, DataFolder data) =>
        data.HasKeys && (DatabaseFile(configuration, data) is not { } file || File.Exists(file));

    public static ISqlDialect CreateDialect(IConfiguration configuration, DataFolder data)
    {
        if (DatabaseFile(configuration, data) is { } file)
        {
            return new SqliteDialect(file);
        }
        var provider = configuration["Storage:Provider"]!;
        if (!provider.Equals(SqlServer, StringComparison.OrdinalIgnoreCase))
        {
            throw new StorageUnavailableException($"Storage:Provider is '{provider}'; it is {Sqlite} or {SqlServer}");
        }
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new StorageUnavailableException($"Storage:Provider is {SqlServer} but ConnectionStrings:{ConnectionStringName} is not set");
        }
        try
        {
            return new SqlServerDialect(connectionString, configuration["Backup:ServerFolder"]);
        }
        catch (ArgumentException ex)
        {
            throw new StorageUnavailableException($"ConnectionStrings:{ConnectionStringName} is not a SQL Server connection string: {ex.Message}", ex);
        }
    }
}
