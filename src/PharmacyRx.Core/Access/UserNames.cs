using System.Globalization;
using System.Text;

namespace PharmacyRx.Core.Access;

/// <summary>
/// One spelling per user (1311.205(b)(1): a user name must name one person): names are NFKC-normalised and case-folded
/// at creation and every sign-in, mix no scripts, and are refused as look-alikes when their skeleton (TR 39 style
/// confusables for Latin, Cyrillic, Greek, plus 0/o and 1/l) matches an existing user's.
/// </summary>
public static class UserNames
{
    private static readonly Dictionary<char, string> Confusables = new()
    {
        // Cyrillic
        ['а'] = "a", ['б'] = "6", ['в'] = "b", ['г'] = "r", ['е'] = "e", ['ё'] = "e", ['з'] = "3", ['и'] = "u", ['й'] = "u",
        ['к'] = "k", ['м'] = "m", ['н'] = "h", ['о'] = "o", ['п'] = "n", ['р'] = "p", ['с'] = "c", ['т'] = "t", ['у'] = "y",
        ['х'] = "x", ['ц'] = "u", ['ч'] = "4", ['ш'] = "w", ['ъ'] = "b", ['ь'] = "b", ['ѕ'] = "s", ['і'] = "i", ['ї'] = "i",
        ['ј'] = "j", ['һ'] = "h", ['ԁ'] = "d", ['ԛ'] = "q", ['ԝ'] = "w", ['ӏ'] = "l",
        // Greek
        ['α'] = "a", ['β'] = "b", ['γ'] = "y", ['δ'] = "d", ['ε'] = "e", ['ζ'] = "z", ['η'] = "n", ['ι'] = "i", ['κ'] = "k",
        ['μ'] = "u", ['ν'] = "v", ['ο'] = "o", ['ρ'] = "p", ['σ'] = "o", ['ς'] = "c", ['τ'] = "t", ['υ'] = "u", ['χ'] = "x",
        ['ω'] = "w",
        // Latin look-alikes of one another
        ['0'] = "o", ['1'] = "l",
    };

    /// <summary>The one spelling of a user name: NFKC, then case-folded.</summary>
    public static string Normalize(string userName) =>
        userName.Normalize(NormalizationForm.FormKC).ToLowerInvariant().Normalize(NormalizationForm.FormKC);

    /// <summary>Why a (normalised) name cannot be a user name, or null when it can.</summary>
    public static string? Problem(string normalized)
    {
        if (normalized.Length is 0 or > TextLimits.UserName || !normalized.All(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            return $"a user name is 1 to {TextLimits.UserName} letters, digits, '.', '-' or '_'";
        }
        var scripts = normalized.Where(char.IsLetter).Select(Script).Distinct().ToArray();
        return scripts.Length > 1 ? $"user name {normalized} mixes scripts ({string.Join(", ", scripts)}); use one" : null;
    }

    /// <summary>What a name looks like: confusable letters replaced by the Latin ones they resemble, "rn" as "m", "vv" as "w".</summary>
    public static string Skeleton(string normalized)
    {
        var skeleton = new StringBuilder(normalized.Length);
        foreach (var c in normalized.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            skeleton.Append(Confusables.TryGetValue(c, out var latin) ? latin : c.ToString());
        }
        return skeleton.Replace("rn", "m").Replace("vv", "w").ToString();
    }

    /// <summary>The existing name <paramref name="normalized"/> looks like (but is not), or null.</summary>
    public static string? LookAlikeOf(string normalized, IEnumerable<string> existing)
    {
        var skeleton = Skeleton(normalized);
        return existing.FirstOrDefault(name => !string.Equals(name, normalized, StringComparison.OrdinalIgnoreCase) && Skeleton(Normalize(name)) == skeleton);
    }

    private static string Script(char letter) => letter switch
    {
        <= '\u024F' or (>= '\u1E00' and <= '\u1EFF') => "Latin",
        (>= '\u0370' and <= '\u03FF') or (>= '\u1F00' and <= '\u1FFF') => "Greek",
        (>= '\u0400' and <= '\u052F') or (>= '\u2DE0' and <= '\u2DFF') or (>= '\uA640' and <= '\uA69F') => "Cyrillic",
        _ => "another script",
    };
}
