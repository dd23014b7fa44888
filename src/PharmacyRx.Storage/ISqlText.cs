namespace PharmacyRx.Storage;

/// <summary>
/// The SQL text that differs between the engines: paging, collation, upserts, duplicate keys, the audit head's lock,
/// a row's text for its hash, and the schema scripts' batches.
/// </summary>
public interface ISqlText
{
    /// <summary>DDL creating the migrations journal if it does not exist.</summary>
    string MigrationsJournalDdl { get; }

    /// <summary>A schema script cut into the batches the engine runs one by one (SQL Server: at each <c>GO</c> line).</summary>
    IReadOnlyList<string> Batches(string script);

    /// <summary>After an <c>ORDER BY</c>: only the first <paramref name="count"/> rows (an expression or parameter).</summary>
    string FirstRows(string count);

    /// <summary>After an <c>ORDER BY</c>: <paramref name="limit"/> rows after skipping <paramref name="offset"/>.</summary>
    string Page(string limit, string offset);

    /// <summary>
    /// After a text comparison whose columns do not ignore case themselves: SQLite's per-expression collation; empty on
    /// SQL Server, whose columns ignore case through their collation (search is case-insensitive by the column).
    /// </summary>
    string IgnoreCase { get; }

    /// <summary>
    /// After an <c>INSERT … VALUES (…)</c> into a table whose key makes a repeated row a no-op (0 rows affected): SQLite's
    /// conflict clause; empty on SQL Server, where those keys are declared with <c>IGNORE_DUP_KEY = ON</c>.
    /// </summary>
    string IgnoreDuplicateKey { get; }

    /// <summary>
    /// A statement making the writing transaction the one writer of the archive and the audit chain until it ends; empty
    /// where the transaction already is (SQLite: BEGIN IMMEDIATE holds the one write lock). SQL Server: the chain's
    /// application lock, so instances on one database take turns, each turn a group commit of many messages.
    /// </summary>
    string ExclusiveWriter { get; }

    /// <summary>A statement reading the id the previous <c>INSERT</c> in this batch gave its identity column.</summary>
    string SelectInsertedId { get; }

    /// <summary>An aggregate joining a text column's values with commas, in the column's order.</summary>
    string JoinSorted(string column);

    /// <summary>Inserts or replaces one row by its key (each column bound as the parameter <c>@column</c>).</summary>
    string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> valueColumns);

    /// <summary>
    /// Reads the audit chain's head (sequence, hash) inside the writing transaction so that no other writer can append
    /// until it commits: two writers never fork the chain (1311.205(b)(16)).
    /// </summary>
    string AuditHeadForAppend { get; }

    /// <summary>
    /// The SQL expression rendering a row's columns as one text for <c>RowHasher</c>: each value as an SQL literal (text
    /// quoted with quotes doubled, a BLOB as <c>X'HEX'</c>, an integer in decimal, NULL as <c>NULL</c>), comma-separated;
    /// the same text on both engines. <paramref name="row"/> qualifies the columns (a trigger's OLD row, an alias).
    /// </summary>
    string RowText(IEnumerable<Audit.RowColumn> columns, string? row = null);

    /// <summary>
    /// After a text expression: compare and join it as its exact characters, whatever its column's collation (SQL Server's
    /// binary collation; empty on SQLite, whose text already is).
    /// </summary>
    string ExactText { get; }

    /// <summary>
    /// After a table and its alias: read it through the named covering index. SQLite takes a unique index on an equality
    /// ahead of any other, even one that would spare it the table's rows; SQL Server costs covering indexes itself (empty).
    /// </summary>
    string ThroughIndex(string index);

    /// <summary>
    /// The engine's full-text index of name words, or null where the engine has none (SQL Server: a search by several
    /// name words intersects their ranges of <c>patient_name_words</c>).
    /// </summary>
    NameWordsIndex? NameWords { get; }
}
