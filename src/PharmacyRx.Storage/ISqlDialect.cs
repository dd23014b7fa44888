namespace PharmacyRx.Storage;

/// <summary>
/// Everything that differs between SQLite (the embedded default) and SQL Server (a chain's instances on one database);
/// other SQL runs on both, and a test fails on a SQLite-only construct outside this dialect. Split into
/// <see cref="ISqlText"/>, <see cref="ISqlConnections"/>, <see cref="ISqlBackup"/> and <see cref="ISqlLedger"/>.
/// </summary>
public interface ISqlDialect : ISqlText, ISqlConnections, ISqlBackup, ISqlLedger;
