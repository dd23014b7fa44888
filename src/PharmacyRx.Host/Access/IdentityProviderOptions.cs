using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Host.Access;

/// <summary>
/// Sign-in through the pharmacy's identity provider (OpenID Connect, authorization code with PKCE), bound to the
/// <c>IdentityProvider</c> section. Off unless <see cref="Enabled"/>; local accounts keep working either way.
/// docs/sign-in-oidc.md shows Entra ID and Keycloak.
/// </summary>
public sealed class IdentityProviderOptions : IValidatableObject
{
    /// <summary>Whether the console offers sign-in through the provider. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>The provider's issuer URL (its discovery document is <c>/.well-known/openid-configuration</c> below it); https, or http on loopback only.</summary>
    public string Authority { get; set; } = "";

    /// <summary>The client id the provider registered for PharmacyRx.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The client secret (from the environment or a secrets store, never a committed file); empty for a public client.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>The claim whose values are mapped to roles: <c>groups</c> (default; Keycloak, Okta) or <c>roles</c> (Entra ID app roles).</summary>
    [Required, RegularExpression("^[A-Za-z0-9_.:/-]{1,100}$")]
    public string RoleClaimType { get; set; } = "groups";

    /// <summary>The claim holding the person's display name, as records show it. Default <c>name</c>.</summary>
    [Required, RegularExpression("^[A-Za-z0-9_.:/-]{1,100}$")]
    public string DisplayNameClaimType { get; set; } = "name";

    /// <summary>The scopes asked for, space-separated. Default <c>openid profile</c>; Keycloak's group mapper may need its own scope.</summary>
    [Required]
    public string Scopes { get; set; } = "openid profile";

    /// <summary>What the sign-in button calls the provider. Default "your organization's account".</summary>
    [Required, StringLength(60)]
    public string DisplayName { get; set; } = "your organization's account";

    /// <summary>Where the provider sends the browser back; register this path (on the console's address) with the provider. Default <c>/signin-oidc</c>.</summary>
    [Required, RegularExpression("^/[A-Za-z0-9_/-]{1,60}$")]
    public string CallbackPath { get; set; } = "/signin-oidc";

    /// <summary>Whether the authority is an http address on this machine (a test's provider): then, and only then, metadata may come over http.</summary>
    public bool IsLoopbackHttp =>
        Uri.TryCreate(Authority, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || IsLoopbackHttp))
        {
            yield return new ValidationResult("IdentityProvider:Authority must be an https URL (http only on loopback)", [nameof(Authority)]);
        }
        if (string.IsNullOrWhiteSpace(ClientId))
        {
            yield return new ValidationResult("IdentityProvider:ClientId is required when IdentityProvider:Enabled is true", [nameof(ClientId)]);
        }
        if (!Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("openid", StringComparer.Ordinal))
        {
            yield return new ValidationResult("IdentityProvider:Scopes must include openid", [nameof(Scopes)]);
        }
    }
}
