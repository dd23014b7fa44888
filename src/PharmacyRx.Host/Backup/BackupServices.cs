namespace PharmacyRx.Host.Backup;

/// <summary>The daily backup and the second folder's copies (1304.04(h)(5), 1311.205(b)(14)).</summary>
public static class BackupServices
{
    public static IServiceCollection AddBackup(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<BackupOptions>(configuration, "Backup");
        services.AddSingleton<SecondFolderCopies>();
        services.AddSingleton<BackupService>();
        return services;
    }

    /// <summary>The backup at its local time, and copies to the second folder retried while it is away.</summary>
    public static IServiceCollection AddBackupWork(this IServiceCollection services)
    {
        services.AddSingleton<BackupScheduler>();
        services.AddHostedService(provider => provider.GetRequiredService<BackupScheduler>());
        services.AddHostedService<SecondFolderRetry>();
        return services;
    }
}
