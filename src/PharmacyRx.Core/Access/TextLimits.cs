namespace PharmacyRx.Core.Access;

/// <summary>
/// Length limits on text from users, checked before anything is audited or stored, so a megabyte "name" reaches
/// neither the audit trail nor the database.
/// </summary>
public static class TextLimits
{
    /// <summary>A user name: at most 64 characters (after normalisation).</summary>
    public const int UserName = 64;

    /// <summary>A password: at most 256 characters (the slow hash is not run on more).</summary>
    public const int Password = 256;

    /// <summary>Any other text a user types: full names, initials, labels, reasons, annotation fields: at most 1,000 characters.</summary>
    public const int Text = 1000;

    /// <summary>How many fields one annotation or request may carry.</summary>
    public const int Fields = 20;

    /// <summary>A value shortened for an audit record: at most <paramref name="limit"/> characters, with its full length when longer.</summary>
    public static string ForAudit(string value, int limit = UserName) =>
        value.Length <= limit ? value : $"{value[..limit]}… ({value.Length} characters)";

    /// <summary>Why a set of annotation fields is over the limits (count, name length, value length), or null.</summary>
    public static string? FieldsRefusal(IReadOnlyDictionary<string, string> fields) =>
        fields.Count > Fields || fields.Any(f => f.Key.Length > UserName || (f.Value?.Length ?? 0) > Text)
            ? $"at most {Fields} fields, names of at most {UserName} characters, values of at most {Text}"
            : null;
}
