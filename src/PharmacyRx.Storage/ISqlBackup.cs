namespace PharmacyRx.Storage;

/// <summary>
/// The engine's online backup, its integrity check and its restore (1311.205(b)(17)).
/// </summary>
public interface ISqlBackup
{
    /// <summary>The name of the file a backup folder holds for the database (SQLite: the copy; SQL Server: where the server put it).</summary>
    string BackupFileName { get; }

    /// <summary>
    /// The statement a DBA runs to restore the backup whose <see cref="BackupFileName"/> is given, when the service must not
    /// restore it itself (SQL Server); null when <c>backup restore</c> copies the file (SQLite).
    /// </summary>
    Task<string?> RestoreStatementAsync(string backupFile, CancellationToken cancellationToken);

    /// <summary>
    /// Copies the live database to a file while others keep writing (SQLite's online backup API), then checks the copy's
    /// integrity; returns the integrity check's answer ("ok" when sound).
    /// </summary>
    Task<string> BackupAsync(string destinationPath, CancellationToken cancellationToken);

    /// <summary>Runs the integrity check on a backup's database file (<see cref="BackupFileName"/>); "ok" when sound.</summary>
    Task<string> CheckIntegrityAsync(string path, CancellationToken cancellationToken);
}
