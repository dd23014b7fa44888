using System.Globalization;
using System.Text;

namespace PharmacyRx.Core.Prescriptions;

/// <summary>
/// The form names are searched in (1311.205(b)(11)): accents removed, lower case, runs of whitespace as one space,
/// so "Müller" is found by "mull" and "MULLER". Prefix search compares keys as ordinal strings.
/// </summary>
public static class SearchKey
{
    public static string Normalize(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var key = new StringBuilder(decomposed.Length);
        var space = false;
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                space = key.Length > 0;
                continue;
            }
            if (space)
            {
                key.Append(' ');
                space = false;
            }
            key.Append(char.ToLowerInvariant(c));
        }
        return key.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>The exclusive upper bound of keys starting with <paramref name="prefix"/> (a normalized key).</summary>
    public static string PrefixEnd(string prefix) => prefix + '\uffff';

    /// <summary>The longest name word kept; a longer one is cut (an index key has a limit).</summary>
    public const int MaxWordLength = 100;

    /// <summary>
    /// A name's words as search matches them in any order (1311.205(b)(11)): <see cref="Normalize"/>d, apostrophes and
    /// periods dropped within a word ("O'Brien" is "obrien"), every other character that is not a letter or digit a
    /// break between words ("Smith-Jones, Ann" is "smith", "jones", "ann"). Transliteration (ü as ue) is not done.
    /// </summary>
    public static IReadOnlyList<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        void End()
        {
            if (word.Length > 0)
            {
                var done = word.ToString();
                words.Add(done.Length > MaxWordLength ? done[..MaxWordLength] : done);
                word.Clear();
            }
        }
        foreach (var c in Normalize(text))
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
            }
            else if (c is not ('\'' or '\u2019' or '\u02bc' or '.'))
            {
                End();
            }
        }
        End();
        return words;
    }
}
