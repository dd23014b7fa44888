using System.Text.RegularExpressions;
using PharmacyRx.Testing;

namespace PharmacyRx.Storage.Tests.Dialects;

/// <summary>
/// Finds SQLite-only SQL and SQLite API calls in the service's sources outside the SQLite dialect: SqliteDialect.cs and
/// the files beside it named Sqlite*.cs or kept in a Sqlite/ folder (the coverage triggers, the raw export reader).
/// Comment lines are not read.
/// </summary>
internal static partial class SqliteOnlyConstructs
{
    public static IEnumerable<string> SourceFiles() =>
        new[] { "src/PharmacyRx.Storage", "src/PharmacyRx.Host" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, folder), "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(file => !IsSqliteDialect(file))
            .Order(StringComparer.Ordinal);

    public static bool IsSqliteDialect(string file) =>
        Path.GetFileName(file).StartsWith("Sqlite", StringComparison.Ordinal)
        || file.Contains($"{Path.DirectorySeparatorChar}Sqlite{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    /// <summary>Each SQLite-only construct in the text, with its line number.</summary>
    public static IEnumerable<(int Line, string Construct)> Find(string source) =>
        source.Split('\n')
            .Select((line, index) => (Line: index + 1, Text: line.TrimStart()))
            .Where(line => !line.Text.StartsWith("//", StringComparison.Ordinal))
            .SelectMany(line => Construct().Matches(line.Text).Select(match => (line.Line, match.Value)));

    // RETURNING, ON CONFLICT, LIMIT n, COLLATE NOCASE, INSERT OR IGNORE/REPLACE, WITHOUT ROWID, rowid, sqlite_master, PRAGMA,
    // quote(), group_concat, strftime/julianday, last_insert_rowid, || next to a quote or char(), the sqlite3_* API and
    // the SQLite ADO.NET types.
    [GeneratedRegex("""
        \bRETURNING\b|\bON\s+CONFLICT\b|\bLIMIT\s+[@\d{]|\bCOLLATE\s+NOCASE\b|\bINSERT\s+OR\s+(?:IGNORE|REPLACE)\b|\bWITHOUT\s+ROWID\b
        |\browid\b|\bsqlite_master\b|\bPRAGMA\b|\bquote\(|\bgroup_concat\(|\bstrftime\(|\bjulianday\(|\blast_insert_rowid\(
        |'\s*\|\||\|\|\s*'|\|\|\s*char\(|\bsqlite3_\w+|\bSQLitePCL\b|\bMicrosoft\.Data\.Sqlite\b|\bSqlite(?:Connection|Transaction|Command|Exception)\b
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex Construct();
}
