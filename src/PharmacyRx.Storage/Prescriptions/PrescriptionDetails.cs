using System.Text;
using Dapper;
using PharmacyRx.Core.Export;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage.Prescriptions;

/// <summary>
/// Keeps <c>prescription_details</c> (what an export shows beyond the search row) derived from the as-received records,
/// in batches and off the archive writer's path. Prescription numbers only grow, and the single writer commits them in
/// order, so everything above the highest derived number is what is missing.
/// </summary>
public sealed class PrescriptionDetails(Database database, ScriptMessageReader reader)
{
    private const int BatchSize = 2_000;

    /// <summary>Derives the rows of every prescription that has none yet; returns how many were added.</summary>
    public async Task<long> CatchUpAsync(CancellationToken cancellationToken)
    {
        var missing = $"""
            SELECT p.prescription_number, a.message_id, a.status, a.as_received
            FROM prescriptions p JOIN prescription_archive a ON a.receipt_id = p.receipt_id
            WHERE p.prescription_number > (SELECT COALESCE(MAX(prescription_number), 0) FROM prescription_details)
            ORDER BY p.prescription_number
            {database.Dialect.FirstRows("@Limit")}
            """;
        const string insert = """
            INSERT INTO prescription_details (prescription_number, message_id, status_on_receipt, fields)
            VALUES (@Number, @MessageId, @Status, @Fields)
            """;
        long added = 0;
        while (true)
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
            var batch = (await connection.QueryAsync<(long Number, string? MessageId, string Status, byte[] AsReceived)>(
                new CommandDefinition(missing, new { Limit = BatchSize }, transaction, cancellationToken: cancellationToken))).ToArray();
            foreach (var (number, messageId, status, asReceived) in batch)
            {
                // A prescriptions row exists only for a NewRx that was read on receipt; it reads the same now, by the rule
                // of its day for one from before a repeated element was refused.
                var elements = reader.ReadAsFirstOccurrenceWins(asReceived).Message?.Elements ?? new DeaElements();
                await connection.ExecuteAsync(new CommandDefinition(insert, new
                {
                    Number = number,
                    MessageId = messageId ?? "",
                    Status = status,
                    Fields = Encoding.UTF8.GetString(ExportRecord.Encode(Fields(elements))),
                }, transaction, cancellationToken: cancellationToken));
            }
            await transaction.CommitAsync(cancellationToken);
            added += batch.Length;
            if (batch.Length < BatchSize)
            {
                return added;
            }
        }
    }

    /// <summary>The stored details of a prescription, by <see cref="DetailField"/>, as received.</summary>
    // Only the unnamed values are left out (CS8524): a field added to DetailField and not here is CS8509, an error.
#pragma warning disable CS8524
    public static string[] Fields(DeaElements elements) => [.. Enum.GetValues<DetailField>().Select(field => field switch
    {
        DetailField.WrittenDate => elements.WrittenDate,
        DetailField.Schedule => elements.Schedule?.ShortName() ?? "",
        DetailField.PatientName => elements.PatientDisplayName,
        DetailField.PatientAddress => elements.PatientAddress.OneLine,
        DetailField.PrescriberName => elements.PrescriberDisplayName,
        DetailField.PrescriberAddress => elements.PrescriberAddress.OneLine,
        DetailField.PrescriberDeaNumber => elements.PrescriberDeaNumber,
        DetailField.DrugName => elements.DrugDescription,
        DetailField.Strength => $"{elements.DrugStrengthValue} {elements.DrugStrengthUnit}".Trim(),
        DetailField.DosageForm => elements.DosageForm,
        DetailField.QuantityPrescribed => elements.QuantityValue,
        DetailField.QuantityUnit => elements.QuantityUnit,
        DetailField.RefillsAuthorized => elements.NumberOfRefills,
    })];
#pragma warning restore CS8524
}
