using System.Reflection;

namespace PharmacyRx.Core.Access;

/// <summary>
/// What a new password must be: at least 12 characters and not on the list of common passwords (NIST SP 800-63B
/// 5.1.1.2), at most <see cref="TextLimits.Password"/>. The list ships embedded (Access/common-passwords.txt) and is compared case-insensitively.
/// </summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 12;

    private static readonly Lazy<HashSet<string>> Common = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("PharmacyRx.Core.Access.common-passwords.txt")!;
        using var reader = new StreamReader(stream);
        var words = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                words.Add(line.Trim());
            }
        }
        return words;
    });

    /// <summary>Why the password is refused, or null when it is acceptable.</summary>
    public static string? Refusal(string password) =>
        password.Length < MinimumLength ? $"a password needs at least {MinimumLength} characters"
        : password.Length > TextLimits.Password ? $"a password is at most {TextLimits.Password} characters"
        : Common.Value.Contains(password) ? "this password is on the list of commonly used passwords"
        : null;

    /// <summary>
    /// A new password for oneself: the rules above, and never the current one, so a one-time password someone else set
    /// (a new user's, an administrator's reset) cannot be kept and that someone never knows a working password
    /// (1311.205(b)(1)).
    /// </summary>
    public static string? Refusal(string newPassword, string currentPassword) =>
        string.Equals(newPassword, currentPassword, StringComparison.Ordinal) ? "the new password must differ from the current one" : Refusal(newPassword);
}
