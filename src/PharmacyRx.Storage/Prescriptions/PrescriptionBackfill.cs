using Dapper;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Core.Prescriptions;

namespace PharmacyRx.Storage.Prescriptions;

/// <summary>
/// Gives every archived NewRx its <c>prescriptions</c> row (prescription number and search keys) when it has none:
/// records archived before that table existed. Derived from the as-received bytes, the one source; run after the
/// schema migrations, it does nothing once every NewRx has its row.
/// </summary>
public sealed class PrescriptionBackfill(Database database, ScriptMessageReader reader, TimeProvider time)
{
    private const int BatchSize = 1_000;

    private const string Name = "prescriptions";

    /// <summary>How many rows were added.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        const string done = """
            SELECT COUNT(*) FROM completed_backfills WHERE name = @Name
            """;
        var markDone = $"""
            INSERT INTO completed_backfills (name, completed_at) VALUES (@Name, @At) {database.Dialect.IgnoreDuplicateKey}
            """;
        await using (var check = await database.OpenAsync(cancellationToken))
        {
            if (await check.ExecuteScalarAsync<long>(new CommandDefinition(done, new { Name }, cancellationToken: cancellationToken)) > 0)
            {
                return 0;
            }
        }
        var missing = $"""
            SELECT a.receipt_id, a.received_at, a.as_received FROM prescription_archive a
            WHERE a.transaction_kind = 'NewRx' AND NOT EXISTS (SELECT 1 FROM prescriptions p WHERE p.receipt_id = a.receipt_id)
            ORDER BY a.received_at, a.receipt_id
            {database.Dialect.FirstRows("@Limit")}
            """;
        const string insert = """
            INSERT INTO prescriptions (receipt_id, received_at, patient_key, prescriber_key, drug_key, dea_schedule, written_date,
                                       earliest_fill_date, quantity, quantity_unit, refills_authorized)
            VALUES (@ReceiptId, @ReceivedAt, @Patient, @Prescriber, @Drug, @Schedule, @WrittenDate, @EarliestFillDate, @Quantity, @QuantityUnit, @Refills)
            """;
        var added = 0;
        while (true)
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
            var batch = (await connection.QueryAsync<(string ReceiptId, string ReceivedAt, byte[] AsReceived)>(
                new CommandDefinition(missing, new { Limit = BatchSize }, transaction, cancellationToken: cancellationToken))).ToArray();
            foreach (var (receiptId, receivedAt, asReceived) in batch)
            {
                // An archived NewRx was readable when it arrived; it reads the same now (verify checks that), by the rule of
                // its day for one from before a repeated element was refused.
                var elements = reader.ReadAsFirstOccurrenceWins(asReceived).Message?.Elements ?? new DeaElements();
                var keys = PrescriptionKeys.From(elements);
                await connection.ExecuteAsync(new CommandDefinition(insert, new
                {
                    ReceiptId = receiptId,
                    ReceivedAt = receivedAt,
                    keys.Patient,
                    keys.Prescriber,
                    keys.Drug,
                    Schedule = elements.DeaScheduleCode,
                    elements.WrittenDate,
                    elements.EarliestFillDate,
                    Quantity = elements.QuantityValue,
                    elements.QuantityUnit,
                    Refills = elements.NumberOfRefills,
                }, transaction, cancellationToken: cancellationToken));
            }
            added += batch.Length;
            var finished = batch.Length < BatchSize;
            if (finished)
            {
                await connection.ExecuteAsync(new CommandDefinition(markDone,
                    new { Name, At = ReceiptSeal.FormatTimestamp(time.GetUtcNow()) }, transaction, cancellationToken: cancellationToken));
            }
            // 1311.215(a)(2): the rows added are recorded in the audit chain with the commit (RowsCovered), as every write's are;
            // otherwise verify would name them as written outside the service.
            await Audit.AuditLog.AppendAsync(connection, transaction, [], cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (finished)
            {
                return added;
            }
        }
    }
}
