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
}
