namespace PharmacyRx.Storage;

/// <summary>
/// The engine's ledger, where it has one (SQL Server), held against the signed chain heads; none on SQLite.
/// </summary>
public interface ISqlLedger
{
    /// <summary>
    /// The engine's ledger digest now (SQL Server: <c>sys.sp_generate_database_ledger_digest</c>), kept in each signed chain
    /// head where someone with the database cannot rewrite it; null on an engine without a ledger (SQLite).
    /// </summary>
    Task<string?> LedgerDigestAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>
    /// Checks the database against the ledger digests kept in the signed chain heads (SQL Server: all of them at once to
    /// <c>sys.sp_verify_database_ledger</c>); the problems found, none when there are no digests or no ledger (SQLite).
    /// </summary>
    Task<IReadOnlyList<string>> VerifyLedgerAsync(IReadOnlyList<string> storedDigests, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);
}
