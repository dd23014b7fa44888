namespace PharmacyRx.Storage;

/// <summary>
/// Everything that differs between the databases this service runs on, in one place: SQLite, the embedded default, and
/// SQL Server, for a chain's several instances on one database. Statements elsewhere are SQL both engines run,
/// with the fragments where they differ; a test fails when a SQLite-only construct appears outside the SQLite dialect.
/// Split by concern: the SQL text (<see cref="ISqlText"/>), connections and errors (<see cref="ISqlConnections"/>), backup
/// (<see cref="ISqlBackup"/>) and the ledger (<see cref="ISqlLedger"/>).
/// </summary>
public interface ISqlDialect : ISqlText, ISqlConnections, ISqlBackup, ISqlLedger;
