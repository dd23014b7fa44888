using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace PharmacyRx.Storage.Tests.Dialects;

/// <summary>
/// Without a server: every T-SQL script and every statement the SQL Server dialect produces parses as SQL Server 2022
/// T-SQL (TSql160Parser), with no error.
/// </summary>
public class TransactSqlParseTests
{
    private static readonly SqlServerDialect Dialect = new("Server=127.0.0.1,1;Database=pharmacyrx;Integrated Security=false");

    [Test]
    public void Every_SQL_Server_script_parses_batch_by_batch()
    {
        var scripts = new SchemaMigrator(new Database(Dialect), TimeProvider.System).Scripts();

        var errors = scripts.SelectMany(script => Dialect.Batches(script.Sql).SelectMany(batch => Errors(batch).Select(e => $"{script.Name}: {e}"))).ToArray();

        Assert.That(scripts.Select(s => s.Name), Does.Contain("0001_create_archive").And.Contain("0002_create_audit").And.Contain("0007_create_dispensing"));
        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void The_SQL_Server_scripts_make_the_archive_audit_status_annotation_and_dispensing_tables_ledger_tables()
    {
        var scripts = string.Join("\n", new SchemaMigrator(new Database(Dialect), TimeProvider.System).Scripts().Select(s => s.Sql));
        var ledger = new List<string>();
        foreach (var batch in Dialect.Batches(scripts))
        {
            var tree = (TSqlScript)new TSql160Parser(true).Parse(new StringReader(batch), out _);
            ledger.AddRange(tree.Batches.SelectMany(b => b.Statements).OfType<CreateTableStatement>()
                .Where(create => create.Options.OfType<LedgerTableOption>().Any(o => o.OptionState == OptionState.On && o.AppendOnly == OptionState.On))
                .Select(create => create.SchemaObjectName.BaseIdentifier.Value));
        }

        Assert.That(ledger, Is.SupersetOf(new[] { "prescription_archive", "verification_events", "audit_events", "annotations", "dispensings" }));
    }

    [Test]
    public void Every_statement_in_the_stores_parses_as_the_SQL_Server_dialect_renders_it()
    {
        var statements = StorageStatements.All(Dialect).ToArray();
        var rendered = statements.Where(s => s.Rendered is not null).ToArray();

        var errors = rendered.SelectMany(s => Errors(s.Rendered!).Select(e => $"{s.Where}: {e}")).ToArray();

        TestContext.Out.WriteLine($"{rendered.Length} statements rendered and parsed; composed at run time (checked through the dialect): "
            + string.Join(", ", statements.Where(s => s.Rendered is null).Select(s => s.Where)));
        Assert.That(rendered, Has.Length.GreaterThan(80), "the statements were found");
        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Every_statement_the_SQL_Server_dialect_makes_parses()
    {
        string[] statements =
        [
            Dialect.MigrationsJournalDdl,
            Dialect.AuditHeadForAppend,
            Dialect.SelectInsertedId,
            Dialect.Upsert("coverage_rows", ["table_name", "row_key"], ["row_hash", "audit_sequence"]),
            $"SELECT a FROM t ORDER BY a {Dialect.FirstRows("@Limit")}",
            $"SELECT a FROM t ORDER BY a {Dialect.Page("@Limit", "@Offset")}",
            $"SELECT {Dialect.JoinSorted("role_name")} FROM user_roles",
            $"DELETE FROM user_roles WHERE role_name = @Role {Dialect.IgnoreCase}",
            $"INSERT INTO user_roles (user_name, role_name) VALUES (@UserName, @Role) {Dialect.IgnoreDuplicateKey}",
            Dialect.ExclusiveWriter,
            .. Dialect.Batches(SqlServerDialect.BackupStatements),
            SqlServerDialect.RestoreStatement("pharmacyrx", "/var/opt/mssql/backup/pharmacyrx-2026-01-01T020000000Z.bak"),
            SqlServerDialect.GenerateLedgerDigest,
            SqlServerDialect.LedgerVerification,
        ];

        var errors = statements.SelectMany(s => Errors(s).Select(e => $"{s}: {e}")).ToArray();

        Assert.That(errors, Is.Empty);
    }

    [TestCase("SELECT id FROM t ORDER BY id LIMIT 1")]
    [TestCase("INSERT INTO t (a) VALUES (@A) ON CONFLICT DO NOTHING")]
    [TestCase("UPDATE t SET a = 1 WHERE b = 2 RETURNING a")]
    public void A_SQLite_only_statement_does_not_parse_as_T_SQL(string sql)
    {
        Assert.That(Errors(sql), Is.Not.Empty);
    }

    private static IEnumerable<string> Errors(string sql)
    {
        new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        return errors.Select(e => $"line {e.Line}: {e.Message}");
    }
}
