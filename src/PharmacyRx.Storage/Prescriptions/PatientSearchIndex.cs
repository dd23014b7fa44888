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
        long added = 0;
        while (true)
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            // A read first: a search asks on every name filter, and a write transaction would wait on the archive writer.
            if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(behind, cancellationToken: cancellationToken)) == 0)
            {
                return added;
            }
            await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
            var batch = (await connection.QueryAsync<(long Number, string ReceivedAt, byte[] AsReceived)>(
                new CommandDefinition(missing, new { Limit = BatchSize }, transaction, cancellationToken: cancellationToken))).ToArray();
            var rows = new List<object>(batch.Length);
            var words = new List<object>(batch.Length * 3);
            foreach (var (number, receivedAt, asReceived) in batch)
            {
                // Read as the prescriptions row was (PrescriptionDetails): the first occurrence of a repeated element stands.
                var elements = reader.ReadAsFirstOccurrenceWins(asReceived).Message?.Elements ?? new DeaElements();
                rows.Add(new { Number = number, BirthDate = elements.PatientBirthDate });
                words.AddRange(SearchKey.Words(elements.PatientDisplayName).Distinct(StringComparer.Ordinal)
                    .Select(each => new { Word = each, Number = number, ReceivedAt = receivedAt }));
            }
            // One command each for the whole batch (Dapper runs it once a row): the archive writer waits on this lock.
            await connection.ExecuteAsync(new CommandDefinition(row, rows, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(word, words, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            added += batch.Length;
            if (batch.Length < BatchSize || oneBatch)
            {
                return added;
            }
        }
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
