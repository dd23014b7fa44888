using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Integrity;

namespace PharmacyRx.Storage.Tests.Audit;

[NonParallelizable]
public class CoverageRecorderTests
{
    [Test]
    public async Task The_baseline_of_a_data_folder_is_recorded_page_by_page_and_verifies()
    {
        using var store = new SqliteStore();
        await using var writer = store.Writer();
        // Rows from before the chain covered tables, as in a data folder upgraded in place.
        CoverageTriggers.DisabledForBenchmark = true;
        try
        {
            for (var i = 0; i < 25; i++)
            {
                await writer.AppendAsync(SqliteStore.Entry($"EARLIER-{i}"), CancellationToken.None);
            }
        }
        finally
        {
            CoverageTriggers.DisabledForBenchmark = false;
        }
        await using var covered = store.Writer(store.OpenAnother());
        var pageRows = CoverageRecorder.BaselinePageRows;
        CoverageRecorder.BaselinePageRows = 10;
        try
        {
            await covered.AppendAsync(SqliteStore.Entry("FIRST-COVERED"), CancellationToken.None);
        }
        finally
        {
            CoverageRecorder.BaselinePageRows = pageRows;
        }

        var pages = (await new AuditLog(store.Database).ReadAllAsync(CancellationToken.None).ToListAsync())
            .Where(e => e.Event.Type == AuditEventTypes.RowsCovered && e.Event.Target == "prescription_archive")
            .Select(e => RowCoverage.Parse(e.Event.Details).Count).ToArray();
        Assert.That(pages, Is.EqualTo(new[] { 10, 10, 6 }));
        await using var connection = await store.Database.OpenAsync(CancellationToken.None);
        using var coverage = new CoverageVerifier(store.Database, connection, null);
        await foreach (var stored in AuditLog.ReadAfterAsync(connection, null, 0, CancellationToken.None))
        {
            await coverage.ObserveAsync(stored, CancellationToken.None);
        }
        Assert.That(await coverage.CheckTablesAsync(CancellationToken.None), Is.Empty);
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM prescription_archive"), Is.EqualTo(26));
    }
}
