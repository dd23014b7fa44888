using System.Reflection;
using System.Text.RegularExpressions;
using PharmacyRx.Testing;

namespace PharmacyRx.Storage.Tests.Dialects;

/// <summary>
/// The SQL statements written in the Storage sources (outside the dialects), as a dialect renders them: each string
/// literal that starts with a statement keyword, with its interpolation holes filled by the dialect's own members
/// (<c>{database.Dialect.FirstRows("1")}</c>) and by the statement-building methods that take a dialect
/// (<c>{ArchiveQueries.SelectRecord(database.Dialect)}</c>). A statement with any other hole (a table or column list
/// chosen at run time) is returned unrendered (null): the dialect's parts of those are checked through the dialect itself.
/// </summary>
internal static partial class StorageStatements
{
    public sealed record Statement(string Where, string Text, string? Rendered);

    public static IEnumerable<Statement> All(ISqlDialect dialect) =>
        SqliteOnlyConstructs.SourceFiles()
            .Where(file => file.Contains($"{Path.DirectorySeparatorChar}PharmacyRx.Storage{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            // The dialects' own fragments and statements are parsed through the dialect (TransactSqlParseTests).
            .Where(file => !Path.GetFileName(file).StartsWith("SqlServerDialect", StringComparison.Ordinal) && Path.GetFileName(file) != "ISqlDialect.cs")
            .SelectMany(file => Literals(File.ReadAllText(file)).Select(literal =>
                new Statement($"{Path.GetFileName(file)}:{literal.Line}", literal.Text, literal.Interpolated ? Render(literal.Text, dialect) : literal.Text)))
            .Where(statement => StatementStart().IsMatch(statement.Text));

    private static IEnumerable<(int Line, string Text, bool Interpolated)> Literals(string source) =>
        Literal().Matches(source).Select(match => (
            source.AsSpan(0, match.Index).Count('\n') + 1,
            match.Groups["raw"].Success ? Dedent(match.Groups["raw"].Value) : match.Groups["plain"].Value,
            match.Groups["dollar"].Length > 0));

    private static string Dedent(string raw)
    {
        var lines = raw.Split('\n').Skip(1).ToArray();
        var indent = lines.Length == 0 ? 0 : lines[^1].Length;
        return string.Join('\n', lines[..^1].Select(line => line.Length >= indent ? line[indent..] : line.TrimStart()));
    }

    private static string? Render(string text, ISqlDialect dialect)
    {
        var unknown = false;
        var rendered = Hole().Replace(text, hole =>
        {
            var value = Evaluate(hole.Groups[1].Value, dialect);
            unknown |= value is null;
            return value ?? "";
        });
        // A hole the pattern could not take whole (an argument holding quotes or braces) leaves a brace: composed at run time.
        return unknown || rendered.Contains('{', StringComparison.Ordinal) ? null : rendered;
    }

    private static string? Evaluate(string expression, ISqlDialect dialect)
    {
        if (DialectMember().Match(expression) is { Success: true } member)
        {
            var arguments = StringArgument().Matches(member.Groups["args"].Value).Select(a => (object)a.Groups[1].Value).ToArray();
            var name = member.Groups["name"].Value;
            // Only string-literal arguments are known here; a member given run-time values is checked through the dialect.
            return typeof(ISqlDialect).GetProperty(name) is { } property
                ? (string?)property.GetValue(dialect)
                : typeof(ISqlDialect).GetMethods().SingleOrDefault(m => m.Name == name && m.GetParameters().Length == arguments.Length
                    && m.GetParameters().All(p => p.ParameterType == typeof(string))) is { } method
                    ? (string?)method.Invoke(dialect, arguments)
                    : null;
        }
        if (Builder().Match(expression) is { Success: true } builder)
        {
            var method = typeof(Database).Assembly.GetTypes()
                .Where(type => !builder.Groups["type"].Success || type.Name == builder.Groups["type"].Value)
                .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
                .Single(m => m.Name == builder.Groups["name"].Value && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(ISqlDialect));
            return (string?)method.Invoke(null, [dialect]);
        }
        return null;
    }

    // """raw""" or $"""raw""" (a raw literal ends with """ alone on its line), or a one-line "plain" or $"plain" literal.
    [GeneratedRegex("""(?<dollar>\$?)(?:"{3}(?<raw>[^\n]*\n(?:.*?\n)*?[ \t]*)"{3}|"(?<plain>(?:[^"\\\n]|\\.)*)")""", RegexOptions.Singleline)]
    private static partial Regex Literal();

    [GeneratedRegex(@"^\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH|MERGE|CREATE|DECLARE|EXEC|IF)\b")]
    private static partial Regex StatementStart();

    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex Hole();

    [GeneratedRegex(@"^(?:_?database\.Dialect|Database\.DialectOf\(\w+\)|dialect)\.(?<name>\w+)(?:\((?<args>.*)\))?$")]
    private static partial Regex DialectMember();

    [GeneratedRegex(@"^(?:(?<type>\w+)\.)?(?<name>\w+)\((?:_?database\.Dialect|dialect|Database\.DialectOf\(\w+\))\)$")]
    private static partial Regex Builder();

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex StringArgument();
}
