namespace PharmacyRx.Storage.Tests.Dialects;

/// <summary>Every SQLite difference lives in the SQLite dialect, so SQL Server runs every other statement.</summary>
public class SqliteOnlyConstructTests
{
    [Test]
    public void No_SQLite_only_construct_appears_outside_the_SQLite_dialect()
    {
        var found = SqliteOnlyConstructs.SourceFiles()
            .SelectMany(file => SqliteOnlyConstructs.Find(File.ReadAllText(file))
                .Select(hit => $"{Path.GetRelativePath(Testing.RepositoryRoot.Path, file)}:{hit.Line}: {hit.Construct}"))
            .ToArray();

        Assert.That(found, Is.Empty);
    }

    [TestCase("""SELECT id FROM t ORDER BY id LIMIT 1""", "LIMIT 1")]
    [TestCase("""INSERT INTO t (a) VALUES (@A) ON CONFLICT DO NOTHING""", "ON CONFLICT")]
    [TestCase("""DELETE FROM t WHERE a = @A RETURNING b""", "RETURNING")]
    [TestCase("""WHERE role_name = @Role COLLATE NOCASE""", "COLLATE NOCASE")]
    [TestCase("""e.details LIKE 'annotation ' || a.id""", "' ||")]
    [TestCase("""raw.sqlite3_step(statement)""", "sqlite3_step")]
    public void Finds_a_SQLite_only_construct_planted_in_a_store(string line, string construct)
    {
        var found = SqliteOnlyConstructs.Find("var sql = \"\"\"\n" + line + "\n\"\"\";\n").ToArray();

        Assert.That(found.Select(hit => (hit.Line, hit.Construct)), Does.Contain((2, construct)));
    }

    [Test]
    public void The_scan_reads_the_stores_and_the_host_but_not_the_SQLite_dialect()
    {
        var files = SqliteOnlyConstructs.SourceFiles().Select(Path.GetFileName).ToArray();

        Assert.That(files, Does.Contain("AccessStore.cs").And.Contain("ArchiveWriter.cs").And.Contain("ExportQuery.cs").And.Contain("Program.cs"));
        Assert.That(files, Does.Not.Contain("SqliteDialect.cs").And.Not.Contain("CoverageTriggers.cs").And.Not.Contain("SqliteExportRows.cs"));
    }
}
