namespace PharmacyRx.Core.Access;

/// <summary>
/// A person as the pharmacy's identity provider names them (issuer and <c>sub</c>), and their user name here,
/// <c>subject@issuer</c> without the scheme. A local name is letters, digits, '.', '-' and '_' only
/// (<see cref="UserNames"/>), so local and federated names never meet (1311.205(b)(1): one name, one person).
/// </summary>
public static class FederatedIdentity
{
    /// <summary>The longest group or app-role value kept (the audit chain's row key holds user name and value).</summary>
    public const int ClaimValue = 200;

    /// <summary>The most group or app-role values one sign-in may carry; more is refused rather than cut.</summary>
    public const int ClaimValues = 500;

    /// <summary>The longest user name the database holds.</summary>
    public const int UserNameLength = 128;

    /// <summary>The user name of (issuer, subject): <c>subject@host/path</c>.</summary>
    public static string UserName(string issuer, string subject)
    {
        var schemeless = issuer.Contains("://", StringComparison.Ordinal) ? issuer[(issuer.IndexOf("://", StringComparison.Ordinal) + 3)..] : issuer;
        return $"{subject}@{schemeless.TrimEnd('/')}";
    }

    /// <summary>Why a provider's identity cannot be a user here, or null when it can.</summary>
    public static string? Problem(string issuer, string subject)
    {
        if (subject.Length == 0 || subject.Any(char.IsControl) || issuer.Length == 0 || issuer.Any(char.IsControl))
        {
            return "the provider's token names no subject or issuer, or one with control characters";
        }
        return UserName(issuer, subject).Length > UserNameLength
            ? $"subject@issuer is longer than {UserNameLength} characters"
            : null;
    }

    /// <summary>Whether a user name is a federated one (it holds '@', which no local name may).</summary>
    public static bool IsFederatedName(string userName) => userName.Contains('@', StringComparison.Ordinal);

    /// <summary>Initials for dispensing records, from the display name: the first letter of each word, at most four.</summary>
    public static string Initials(string displayName)
    {
        var letters = displayName.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(word => word.FirstOrDefault(char.IsLetter)).Where(char.IsLetter).Take(4).Select(char.ToUpperInvariant).ToArray();
        return letters.Length == 0 ? "?" : new string(letters);
    }
}
