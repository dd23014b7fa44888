namespace PharmacyRx.Storage.Access;

/// <summary>The kinds of <see cref="SessionStore.LoginResult"/>.</summary>
public enum LoginOutcome
{
    Succeeded,
    Failed,
    Disabled,
    Throttled,

    /// <summary>The user name or password is over its length limit: refused unchecked.</summary>
    TooLong,
}
