using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Host.Backup;

/// <summary>The daily backup (section <c>Backup</c>; 1311.205(b)(17)).</summary>
public sealed class BackupOptions
{
    /// <summary>Whether <c>serve</c> runs the daily backup; default on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where backups are written; default <c>DATA/backups</c>.</summary>
    public string? Folder { get; set; }

    /// <summary>
    /// SQL Server only: a folder on the database server that the server's service account can write, where
    /// <c>BACKUP DATABASE … WITH CHECKSUM, COPY_ONLY</c> puts each backup; none by default (then a backup on SQL Server fails, audited).
    /// </summary>
    public string? ServerFolder { get; set; }

    /// <summary>A second destination each backup is copied to (another disk or a mounted share); none by default.</summary>
    public string? SecondFolder { get; set; }

    /// <summary>How often heads and backups not yet in <see cref="SecondFolder"/> (it was unreachable or full) are copied again; default 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SecondFolderRetry { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The local time of day the daily backup runs; default 02:00. A missed day is caught up at start-up.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "23:59:59")]
    public TimeSpan LocalTime { get; set; } = TimeSpan.FromHours(2);

    /// <summary>The age past which the newest backup is overdue (health, compliance); default 26 hours: a day and the run's slack.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "31.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(26);

    /// <summary>Daily backups kept; default 35.</summary>
    [Range(1, 36_500)]
    public int KeepDays { get; set; } = 35;

    /// <summary>Months for which the first backup of the month is kept as well; default 24 (two years, 1311.305).</summary>
    [Range(0, 1_200)]
    public int KeepMonths { get; set; } = 24;
}
