using System.Data.Common;

namespace PharmacyRx.Storage;

/// <summary>
/// Everything that differs between the databases this service runs on, in one place. SQLite is the embedded
/// default; SQL Server is the production server (its own issue).
/// </summary>
public interface ISqlDialect
{
    /// <summary>The folder under <c>schemas/sql/</c> holding this dialect's scripts.</summary>
    string Name { get; }

    /// <summary>Creates a closed connection to the configured database.</summary>
    DbConnection CreateConnection();

    /// <summary>Per-connection settings run once after each open (SQLite pragmas, say).</summary>
    Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>DDL creating the migrations journal if it does not exist.</summary>
    string MigrationsJournalDdl { get; }

    /// <summary>
    /// Copies the live database to a file while others keep writing (SQLite's online backup API), then checks the copy's
    /// integrity; returns the integrity check's answer ("ok" when sound).
    /// </summary>
    Task<string> BackupAsync(string destinationPath, CancellationToken cancellationToken);

    /// <summary>Runs the integrity check on a database file that is not in use; "ok" when sound.</summary>
    Task<string> CheckIntegrityAsync(string path, CancellationToken cancellationToken);

    /// <summary>True for faults worth retrying: the database busy or locked, a dropped connection.</summary>
    bool IsTransient(Exception exception);
}
