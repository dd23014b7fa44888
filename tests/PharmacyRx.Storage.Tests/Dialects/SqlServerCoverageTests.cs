using Microsoft.SqlServer.TransactSql.ScriptDom;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Tests.Dialects;

/// <summary>
/// Without a server: SQL Server's row coverage (a trigger per covered table marking rows into the session's
/// <c>#coverage_pending</c>) is rendered for each covered table with the columns and types its SQL Server script declares,
/// and every statement parses as SQL Server 2022 T-SQL. The storage suite runs it for real when a server is given.
/// </summary>
public class SqlServerCoverageTests
{
    private static readonly SqlServerDialect Dialect = new("Server=127.0.0.1,1;Database=pharmacyrx;Integrated Security=false");

    private static SqlServerCoverageMarks Marks => (SqlServerCoverageMarks)Dialect.Coverage;

    [Test]
    public void Every_covered_table_is_declared_in_the_SQL_Server_scripts_with_its_key_among_its_hashed_columns()
    {
        var tables = DeclaredColumns();

        var missing = CoveredTables.All.Where(t => !tables.ContainsKey(t.Name) || t.KeyColumns.Any(k => tables[t.Name].All(c => c.Name != k)))
            .Select(t => t.Name);

        Assert.That(missing, Is.Empty);
    }

    [Test]
    public void Every_coverage_statement_parses_for_every_covered_table()
    {
        var tables = DeclaredColumns();
        var statements = new List<string> { SqlServerCoverageMarks.PendingTable, Marks.Installed, Marks.Pending, Marks.Clear };
        foreach (var table in CoveredTables.All)
        {
            var columns = tables[table.Name].Where(c => !table.HashedElsewhere.Contains(c.Name)).ToArray();
            statements.Add(Marks.Trigger(table, columns));
            statements.Add(Marks.Appended(table, columns));
            statements.Add($"SELECT {table.KeyExpression()}, {Dialect.RowText(columns)} FROM {table.Name}");
        }

        var errors = statements.SelectMany(s => Errors(s).Select(e => $"{s[..Math.Min(s.Length, 80)]}…: {e}")).ToArray();

        Assert.That(statements, Has.Count.EqualTo(4 + 3 * CoveredTables.All.Count));
        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void A_mutable_table_marks_inserts_updates_and_deletes_with_the_row_before_and_an_append_only_table_its_inserts_only()
    {
        var tables = DeclaredColumns();
        var users = CoveredTables.Find("users")!;
        var archive = CoveredTables.Find("prescription_archive")!;

        var mutable = Parse(Marks.Trigger(users, tables["users"]));
        var appendOnly = Parse(Marks.Trigger(archive, tables["prescription_archive"].Where(c => c.Name != "as_received").ToArray()));

        Assert.That(mutable.TriggerActions.Select(a => a.TriggerActionType), Is.EquivalentTo(new[] { TriggerActionType.Insert, TriggerActionType.Update, TriggerActionType.Delete }));
        Assert.That(appendOnly.TriggerActions.Select(a => a.TriggerActionType), Is.EqualTo(new[] { TriggerActionType.Insert }));
        Assert.That(Marks.Trigger(users, tables["users"]), Does.Contain("FROM deleted AS d").And.Contain("IF OBJECT_ID(N'tempdb..#coverage_pending') IS NULL RETURN"));
        Assert.That(Marks.Trigger(archive, tables["prescription_archive"]), Does.Not.Contain("deleted"));
    }

    [Test]
    public void A_row_renders_each_value_as_the_writer_and_SQLite_render_it_each_text_in_the_binary_collation()
    {
        RowColumn[] columns = [new("name", typeof(string)), new("count", typeof(long)), new("bytes", typeof(byte[]))];

        var text = Dialect.RowText(columns, "t");

        Assert.That(text, Is.EqualTo(
            "CONCAT_WS(N',', ISNULL(N'''' + REPLACE(CONVERT(nvarchar(max), t.name) COLLATE Latin1_General_100_BIN2, N'''', N'''''') + N'''', N'NULL'), "
            + "ISNULL(CONVERT(nvarchar(max), t.count), N'NULL'), ISNULL(N'X''' + CONVERT(varchar(max), t.bytes, 2) + N'''', N'NULL'))"));
        Assert.That(() => Dialect.RowText([new("at", typeof(DateTime)), new("n", typeof(long))]), Throws.InstanceOf<NotSupportedException>());
    }

    private static TriggerStatementBody Parse(string sql)
    {
        var tree = (TSqlScript)new TSql160Parser(true).Parse(new StringReader(sql), out var errors);
        Assert.That(errors, Is.Empty);
        return tree.Batches.SelectMany(b => b.Statements).OfType<TriggerStatementBody>().Single();
    }

    /// <summary>Each table the SQL Server scripts create, with its columns in order and the types they read as.</summary>
    private static Dictionary<string, RowColumn[]> DeclaredColumns()
    {
        var tables = new Dictionary<string, RowColumn[]>(StringComparer.Ordinal);
        foreach (var script in new SchemaMigrator(new Database(Dialect), TimeProvider.System).Scripts())
        {
            foreach (var batch in Dialect.Batches(script.Sql))
            {
                var tree = (TSqlScript)new TSql160Parser(true).Parse(new StringReader(batch), out _);
                foreach (var create in tree.Batches.SelectMany(b => b.Statements).OfType<CreateTableStatement>())
                {
                    tables[create.SchemaObjectName.BaseIdentifier.Value] = create.Definition.ColumnDefinitions
                        .Select(c => new RowColumn(c.ColumnIdentifier.Value, TypeOf(c.DataType))).ToArray();
                }
            }
        }
        return tables;
    }

    private static Type TypeOf(DataTypeReference type) => (type as SqlDataTypeReference)?.SqlDataTypeOption switch
    {
        SqlDataTypeOption.NVarChar or SqlDataTypeOption.NChar or SqlDataTypeOption.VarChar or SqlDataTypeOption.Char => typeof(string),
        SqlDataTypeOption.BigInt => typeof(long),
        SqlDataTypeOption.Int => typeof(int),
        SqlDataTypeOption.VarBinary or SqlDataTypeOption.Binary => typeof(byte[]),
        _ => typeof(object),
    };

    private static IEnumerable<string> Errors(string sql)
    {
        new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        return errors.Select(e => $"line {e.Line}: {e.Message}");
    }
}
