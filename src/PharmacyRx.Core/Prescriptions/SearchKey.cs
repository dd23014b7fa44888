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
}
