namespace PharmacyRx.Core.Access;

/// <summary>Whether a user is a person or a service account (a sender, an export script). Stored by name.</summary>
public enum UserKind
{
    /// <summary>Someone who signs in with a password and acts as themselves.</summary>
    Person,

    /// <summary>A program with an API key; it never holds <see cref="ServiceAccounts.Forbidden"/> permissions.</summary>
    Service,

    /// <summary>A person who signs in through the pharmacy's identity provider (<see cref="FederatedIdentity"/>); no password here.</summary>
    Federated,
}
