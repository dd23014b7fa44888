namespace PharmacyRx.Core.Access;

/// <summary>
/// Parses an enum value from exactly one of its names (case-insensitive): never a number, never a comma-separated
/// combination (<c>Enum.Parse</c> would take <c>Export,ManageAccess</c> as a third permission, and <c>99</c> as a sort).
/// The one parser for permission names and for the API's enum query values.
/// </summary>
public static class ExactName
{
    public static bool TryParse<TEnum>(string? text, out TEnum value) where TEnum : struct, Enum
    {
        foreach (var name in Enum.GetNames<TEnum>())
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                value = Enum.Parse<TEnum>(name);
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>The names, for an error message.</summary>
    public static string List<TEnum>() where TEnum : struct, Enum => string.Join(", ", Enum.GetNames<TEnum>());
}
