namespace PharmacyRx.Host.Compliance;

/// <summary>
/// The text of the paragraphs the compliance report covers, embedded from <c>regulation-paragraphs.txt</c> (21 CFR as
/// amended by 75 FR 16236): the report quotes the law it answers to without reading anything outside the program.
/// </summary>
public static class RegulationText
{
    private static readonly Lazy<Dictionary<string, string>> Paragraphs = new(Load);

    /// <summary>The text of a paragraph (<c>1311.205(b)(6)</c>), or null when it is not embedded.</summary>
    public static string? Of(string paragraph) => Paragraphs.Value.GetValueOrDefault(paragraph);

    private static Dictionary<string, string> Load()
    {
        using var stream = typeof(RegulationText).Assembly.GetManifestResourceStream("PharmacyRx.Host.Compliance.regulation-paragraphs.txt")
            ?? throw new InvalidOperationException("the regulation text is not embedded");
        using var reader = new StreamReader(stream);
        var paragraphs = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith("== ", StringComparison.Ordinal))
            {
                current = line[3..];
            }
            else if (current is not null && line.Length > 0 && !line.StartsWith('#'))
            {
                paragraphs[current] = line;
                current = null;
            }
        }
        return paragraphs;
    }
}
