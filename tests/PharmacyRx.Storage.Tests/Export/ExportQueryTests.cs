using Dapper;
using PharmacyRx.Storage.Export;

namespace PharmacyRx.Storage.Tests.Export;

public class ExportQueryTests
{
    [Test]
    public void The_export_statement_reads_each_named_column_once_in_the_order_it_is_addressed()
    {
        // ExportQuery addresses the statement's columns by an enum whose order writes the SELECT list; a member without its
        // SQL would stop the type loading here rather than shift every ordinal after it.
        var columns = ExportQuery.SelectList.Split(", ");

        Assert.That(columns, Is.Unique);
        Assert.That(columns[0], Is.EqualTo("p.prescription_number"));
        Assert.That(columns, Has.Length.EqualTo(12));
    }

    [Test]
    public async Task The_export_reads_the_transaction_kind_from_its_index_and_never_from_the_archived_messages()
    {
        // The archive's rows hold the as-received messages: read per prescription they made an export of every row pass
        // over the whole file (docs/performance-scale.md).
        using var store = new SqliteStore();
        await using var connection = await store.Database.OpenAsync(CancellationToken.None);

        var plan = (await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(
            "EXPLAIN QUERY PLAN " + ExportQuery.Statement(store.Database.Dialect, "WHERE 1 = 1"),
            new { LastDispensing = 0, First = 1, Last = 10 })).Select(step => step.Detail).ToArray();

        Assert.That(plan, Has.Some.Matches<string>(step => step.Contains("USING COVERING INDEX ix_prescription_archive_kind", StringComparison.Ordinal)));
        Assert.That(plan, Has.None.Matches<string>(step => step.Contains("SEARCH a USING INDEX sqlite_autoindex_prescription_archive", StringComparison.Ordinal)));
    }

    [Test]
    public async Task The_standings_read_apart_are_found_from_the_few_that_can_be_affected_never_by_walking_the_archive()
    {
        // The NewRx a CancelRx names by MessageID: SQLite 3.53 joined them by scanning every NewRx (1.7 s at 1,000,000
        // prescriptions, docs/performance-scale.md), where the few CancelRx lead through their partial index.
        using var store = new SqliteStore();
        await using var connection = await store.Database.OpenAsync(CancellationToken.None);

        var plan = (await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(
            "EXPLAIN QUERY PLAN " + ExportQuery.StatusesStatement(store.Database.Dialect))).Select(step => step.Detail).ToArray();

        Assert.That(plan, Has.Some.Matches<string>(step => step.Contains("ix_prescription_archive_relates_to", StringComparison.Ordinal)));
        Assert.That(plan, Has.None.Matches<string>(step => step.StartsWith("SCAN a ", StringComparison.Ordinal) || step.StartsWith("SCAN p ", StringComparison.Ordinal)),
            string.Join(Environment.NewLine, plan));
    }

    [Test]
    public async Task A_range_sums_each_of_its_prescriptions_fills_from_an_index()
    {
        using var store = new SqliteStore();
        await using var connection = await store.Database.OpenAsync(CancellationToken.None);

        var plan = (await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(
            "EXPLAIN QUERY PLAN " + ExportQuery.FullyDispensedStatement, new { First = 1, Last = 10, LastDispensing = 0 })).Select(step => step.Detail).ToArray();

        Assert.That(plan, Has.Some.Matches<string>(step => step.StartsWith("SEARCH p USING INTEGER PRIMARY KEY", StringComparison.Ordinal)), string.Join(Environment.NewLine, plan));
        Assert.That(plan, Has.Some.Matches<string>(step => step.StartsWith("SEARCH d USING INDEX ix_dispensings_receipt", StringComparison.Ordinal)), string.Join(Environment.NewLine, plan));
    }

    [Test]
    public async Task A_range_counts_the_fills_and_refill_authorizations_up_to_the_export_s_cut_only()
    {
        // The export is as of one moment: a fill or a refill authorization recorded while it reads must not change the
        // standing of rows whose fills it reads up to its cut.
        using var store = new SqliteStore();
        await using (var writer = store.Writer())
        {
            await writer.AppendAsync(SqliteStore.Entry("CUT-1") with { Decision = Providers.ProviderStore.Verified }, CancellationToken.None);
        }
        await using var connection = await store.Database.OpenAsync(CancellationToken.None);
        var (number, receipt, quantity, refills) = await connection.QuerySingleAsync<(long, string, string, string)>(
            "SELECT prescription_number, receipt_id, quantity, refills_authorized FROM prescriptions");
        var all = decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture) * (1 + decimal.Parse(refills, System.Globalization.CultureInfo.InvariantCulture));
        await connection.ExecuteAsync("""
            INSERT INTO dispensings (id, receipt_id, quantity, quantity_unit, date_dispensed, dispenser, refill_number, recorded_at, recorded_by)
            VALUES (10, @Receipt, @All, 'C48542', '2026-03-02', 'SP', 0, '2026-03-02T12:00:00.0000000Z', 'pharm1')
            """, new { Receipt = receipt, All = all.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await connection.ExecuteAsync("""
            INSERT INTO annotations (id, receipt_id, annotation_type, fields, created_at, created_by)
            VALUES (20, @Receipt, 'RefillAuthorization', '{}', '2026-03-03T12:00:00.0000000Z', 'pharm1')
            """, new { Receipt = receipt });

        async Task<bool> FullyDispensed(long lastDispensing, long lastAnnotation) =>
            (await connection.QueryAsync<long>(ExportQuery.FullyDispensedStatement,
                new { First = number, Last = number, LastDispensing = lastDispensing, LastAnnotation = lastAnnotation })).Contains(number);

        Assert.That(await FullyDispensed(lastDispensing: 10, lastAnnotation: 19), Is.True, "every fill, before the authorization");
        Assert.That(await FullyDispensed(lastDispensing: 9, lastAnnotation: 19), Is.False, "the fill came after the cut");
        Assert.That(await FullyDispensed(lastDispensing: 10, lastAnnotation: 20), Is.False, "a refill was authorized before the cut");
    }
}
