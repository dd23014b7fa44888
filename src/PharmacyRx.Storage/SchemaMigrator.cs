using System.Reflection;
using System.Security.Cryptography;
using Dapper;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage;

/// <summary>
/// Applies the embedded scripts <c>schemas/sql/&lt;dialect&gt;/NNNN_verb_noun.sql</c> in order, each in its own
/// transaction, and records each in <c>schema_migrations</c> with its SHA-256 so an edited, already-applied script
/// is caught rather than silently ignored.
/// </summary>
public sealed class SchemaMigrator(Database database, TimeProvider time)
{
    public sealed record Script(int Version, string Name, string Sql, string Sha256);

    /// <summary>The scripts for the dialect, in version order.</summary>
    public IReadOnlyList<Script> Scripts()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"schemas/sql/{database.Dialect.Name}/";
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => Load(assembly, name, Path.GetFileNameWithoutExtension(name)))
            .OrderBy(script => script.Version)
            .ToArray();
    }

    /// <summary>Applies every script not yet applied; returns how many were applied.</summary>
    public Task<int> MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(int.MaxValue, cancellationToken);

    /// <summary>
    /// Applies the scripts not yet applied up to and including <paramref name="throughVersion"/>: the schema as an earlier
    /// release left it (the upgrade-in-place tests start from one).
    /// </summary>
    public async Task<int> MigrateAsync(int throughVersion, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var journal = await BeginAsync(connection, cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition(database.Dialect.MigrationsJournalDdl, transaction: journal, cancellationToken: cancellationToken));
            await journal.CommitAsync(cancellationToken);
        }

        const string appliedSql = """
            SELECT version, sha256 FROM schema_migrations
            """;
        var applied = (await connection.QueryAsync<(int Version, string Sha256)>(
                new CommandDefinition(appliedSql, cancellationToken: cancellationToken)))
            .ToDictionary(row => row.Version, row => row.Sha256);

        var count = 0;
        foreach (var script in Scripts().Where(script => script.Version <= throughVersion))
        {
            if (applied.TryGetValue(script.Version, out var appliedHash))
            {
                if (appliedHash != script.Sha256)
                {
                    throw new InvalidOperationException(
                        $"schema script {script.Name} changed after it was applied; add a new script instead");
                }
                continue;
            }

            await using var transaction = await BeginAsync(connection, cancellationToken);
            // Another instance starting at the same time may have applied it while this one waited to write.
            const string appliedNow = """
                SELECT COUNT(*) FROM schema_migrations WHERE version = @Version
                """;
            if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(appliedNow, new { script.Version }, transaction, cancellationToken: cancellationToken)) > 0)
            {
                continue;
            }
            // SQL Server scripts are several batches (GO lines): each runs alone, all in the script's one transaction.
            foreach (var batch in database.Dialect.Batches(script.Sql))
            {
                // An index built over a large archive takes as long as it takes; it is not a query to time out.
                await connection.ExecuteAsync(new CommandDefinition(batch, transaction: transaction, commandTimeout: 0, cancellationToken: cancellationToken));
            }
            // 1311.215(a)(2): rows a script wrote to covered tables are recorded in the chain with it, as every write's are
            // (nothing is recorded before the coverage schema exists).
            await Audit.AuditLog.AppendAsync(connection, transaction, [], cancellationToken);
            const string recordSql = """
                INSERT INTO schema_migrations (version, name, sha256, applied_at)
                VALUES (@Version, @Name, @Sha256, @AppliedAt)
                """;
            await connection.ExecuteAsync(new CommandDefinition(
                recordSql,
                new { script.Version, script.Name, script.Sha256, AppliedAt = ReceiptSeal.FormatTimestamp(time.GetUtcNow()) },
                transaction,
                cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            count++;
        }
        // 1311.215(a)(2): what marks the covered tables' rows for the audit chain, made for the schema as it now is.
        await using (var coverage = await BeginAsync(connection, cancellationToken))
        {
            // 1311.215(a)(5): what was changed behind the service's back stays on record after it is put right.
            var events = await database.Dialect.Coverage.InstallAsync(connection, coverage, time.GetUtcNow(), cancellationToken);
            if (events.Count > 0)
            {
                await Audit.AuditLog.AppendAsync(connection, coverage, events, cancellationToken);
            }
            await coverage.CommitAsync(cancellationToken);
        }
        // The chain keys a rotation replaced, so the events they keyed still verify.
        await Audit.ChainKeyStore.LoadEarlierAsync(connection, cancellationToken);
        return count;
    }

    // Another instance may hold the writers' turn (a long group commit) while this one starts: wait for it a while.
    private async Task<System.Data.Common.DbTransaction> BeginAsync(System.Data.Common.DbConnection connection, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await database.BeginWriteAsync(connection, cancellationToken);
            }
            catch (Exception ex) when (attempt < 10 && database.Dialect.IsTransient(ex))
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }
    }

    private static Script Load(Assembly assembly, string resource, string name)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        var sql = reader.ReadToEnd();
        var version = int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sql)));
        return new Script(version, name, sql, sha256);
    }
}
