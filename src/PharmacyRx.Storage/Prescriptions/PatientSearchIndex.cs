using System.Data.Common;
using Dapper;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Prescriptions;

namespace PharmacyRx.Storage.Prescriptions;

/// <summary>
/// Keeps <c>patient_search</c> and <c>patient_name_words</c> (by name in any order and by date of birth, 1311.205(b)(11))
/// derived from the as-received records, in batches off the archive writer's path: everything above the highest
/// prescription number indexed is missing, whether it arrived a second ago or before the upgrade that added the tables.
/// </summary>
public sealed class PatientSearchIndex(Database database, ScriptMessageReader reader)
{
    private const int BatchSize = 2_000;

    /// <summary>Indexes every prescription that is not yet, or one batch of them; returns how many were added.</summary>
    public async Task<long> CatchUpAsync(CancellationToken cancellationToken, bool oneBatch = false)
    {
        const string behind = """
            SELECT CASE WHEN COALESCE((SELECT MAX(prescription_number) FROM prescriptions), 0)
                           > COALESCE((SELECT MAX(prescription_number) FROM patient_search), 0) THEN 1 ELSE 0 END
            """;
        var missing = $"""
            SELECT p.prescription_number, p.received_at, a.as_received
            FROM prescriptions p JOIN prescription_archive a ON a.receipt_id = p.receipt_id
            WHERE p.prescription_number > (SELECT COALESCE(MAX(prescription_number), 0) FROM patient_search)
            ORDER BY p.prescription_number
            {database.Dialect.FirstRows("@Limit")}
            """;
        const string row = """
            INSERT INTO patient_search (prescription_number, birth_date) VALUES (@Number, @BirthDate)
            """;
        // Each word carries its prescription's received_at: a search by name pages newest first from the words alone
        // (0081_add_received_at_to_patient_name_words.sql).
        const string word = """
            INSERT INTO patient_name_words (word, prescription_number, received_at) VALUES (@Word, @Number, @ReceivedAt)
            """;
        await DateUndatedWordsAsync(cancellationToken);
        var names = database.Dialect.NameWords;
        long added = 0;
        while (true)
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            // A read first: a search asks on every name filter, and a write transaction would wait on the archive writer.
            if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(behind, cancellationToken: cancellationToken)) == 0
                && !await NameWordsBehindAsync(connection, null, cancellationToken))
            {
                return added;
            }
            await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
            // Under the write lock, the name index first: a release before 0093 (a rolling upgrade, a rollback) indexes
            // prescriptions into patient_search and the words but not into it, and no new batch may pass them by.
            if (await NameWordsBehindAsync(connection, transaction, cancellationToken))
            {
                await IndexNameWordsBehindAsync(connection, transaction, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                if (oneBatch)
                {
                    return added;
                }
                continue;
            }
            var batch = (await connection.QueryAsync<(long Number, string ReceivedAt, byte[] AsReceived)>(
                new CommandDefinition(missing, new { Limit = BatchSize }, transaction, cancellationToken: cancellationToken))).ToArray();
            var rows = new List<object>(batch.Length);
            var words = new List<object>(batch.Length * 3);
            var documents = new List<object>(batch.Length);
            foreach (var (number, receivedAt, asReceived) in batch)
            {
                var (birthDate, named) = Read(asReceived);
                rows.Add(new { Number = number, BirthDate = birthDate });
                words.AddRange(named.Select(each => new { Word = each, Number = number, ReceivedAt = receivedAt }));
                documents.Add(new { Number = number, Words = string.Join(' ', named) });
            }
            // One command each for the whole batch (Dapper runs it once a row): the archive writer waits on this lock.
            await connection.ExecuteAsync(new CommandDefinition(row, rows, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(word, words, transaction, cancellationToken: cancellationToken));
            if (names is not null)
            {
                await connection.ExecuteAsync(new CommandDefinition(names.Insert, documents, transaction, cancellationToken: cancellationToken));
            }
            await transaction.CommitAsync(cancellationToken);
            added += batch.Length;
            if (batch.Length < BatchSize || oneBatch)
            {
                return added;
            }
        }
    }

    // Read as the prescriptions row was (PrescriptionDetails): the first occurrence of a repeated element stands.
    private (string? BirthDate, string[] Words) Read(byte[] asReceived)
    {
        var elements = reader.ReadAsFirstOccurrenceWins(asReceived).Message?.Elements ?? new DeaElements();
        return (elements.PatientBirthDate, [.. SearchKey.Words(elements.PatientDisplayName).Distinct(StringComparer.Ordinal)]);
    }

    private async Task<bool> NameWordsBehindAsync(DbConnection connection, DbTransaction? transaction,
        CancellationToken cancellationToken)
    {
        const string indexed = """
            SELECT COALESCE(MAX(prescription_number), 0) FROM patient_search
            """;
        return database.Dialect.NameWords is { } names
            && await connection.ExecuteScalarAsync<long>(new CommandDefinition(names.IndexedUpTo, transaction: transaction, cancellationToken: cancellationToken))
                < await connection.ExecuteScalarAsync<long>(new CommandDefinition(indexed, transaction: transaction, cancellationToken: cancellationToken));
    }

    // One batch of the prescriptions in patient_search above the name index's highest number, their documents derived
    // again from the records (PatientSearchIndexTests).
    private async Task IndexNameWordsBehindAsync(DbConnection connection, DbTransaction transaction,
        CancellationToken cancellationToken)
    {
        var names = database.Dialect.NameWords!;
        var behind = $"""
            SELECT s.prescription_number, a.as_received
            FROM patient_search s
            LEFT JOIN prescriptions p ON p.prescription_number = s.prescription_number
            LEFT JOIN prescription_archive a ON a.receipt_id = p.receipt_id
            WHERE s.prescription_number > @From
            ORDER BY s.prescription_number
            {database.Dialect.FirstRows("@Limit")}
            """;
        var from = await connection.ExecuteScalarAsync<long>(new CommandDefinition(names.IndexedUpTo, transaction: transaction, cancellationToken: cancellationToken));
        var batch = await connection.QueryAsync<(long Number, byte[]? AsReceived)>(
            new CommandDefinition(behind, new { From = from, Limit = BatchSize }, transaction, cancellationToken: cancellationToken));
        // Every number in patient_search gets its document, an empty one where no record stands behind it, so the index
        // always moves past it.
        var documents = batch.Select(each => new { each.Number, Words = each.AsReceived is { } bytes ? string.Join(' ', Read(bytes).Words) : "" }).ToArray();
        await connection.ExecuteAsync(new CommandDefinition(names.Insert, documents, transaction, cancellationToken: cancellationToken));
    }

    // A release before 0081 (a rolling upgrade, a rollback) writes words without their prescription's moment of receipt,
    // which a name-only search pages by: they get it here (ix_patient_name_words_undated finds them; PatientSearchIndexTests).
    private async Task DateUndatedWordsAsync(CancellationToken cancellationToken)
    {
        const string undated = """
            SELECT CASE WHEN EXISTS (SELECT 1 FROM patient_name_words WHERE received_at = '') THEN 1 ELSE 0 END
            """;
        const string date = """
            UPDATE patient_name_words
            SET received_at = COALESCE((SELECT p.received_at FROM prescriptions p WHERE p.prescription_number = patient_name_words.prescription_number), '')
            WHERE received_at = ''
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(undated, cancellationToken: cancellationToken)) == 0)
        {
            return;
        }
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(date, transaction: transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }
}
