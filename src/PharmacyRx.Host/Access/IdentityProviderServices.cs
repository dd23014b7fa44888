using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace PharmacyRx.Host.Access;

/// <summary>
/// Sign-in through the identity provider (<see cref="IdentityProviderOptions"/>): ASP.NET Core's OpenID Connect
/// handler, code flow with PKCE, id_token checked for signature, issuer, audience, lifetime and nonce, state bound by a
/// correlation cookie; then a PharmacyRx session (<see cref="IdentityProviderSignIn"/>), no handler cookie kept.
/// </summary>
public static class IdentityProviderServices
{
    public const string SchemeName = "IdentityProvider";

    public static IServiceCollection AddPharmacyIdentityProvider(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IdentityProviderOptions>().Bind(configuration.GetSection("IdentityProvider")).ValidateDataAnnotations().ValidateOnStart();
        if (!configuration.GetValue<bool>("IdentityProvider:Enabled"))
        {
            return services;
        }
        services.AddAuthentication().AddOpenIdConnect(SchemeName, _ => { });
        services.AddOptions<OpenIdConnectOptions>(SchemeName).Configure<IOptions<IdentityProviderOptions>>((options, provider) => Configure(options, provider.Value));
        return services;
    }

    private static void Configure(OpenIdConnectOptions options, IdentityProviderOptions provider)
    {
        options.Authority = provider.Authority;
        options.ClientId = provider.ClientId;
        options.ClientSecret = provider.ClientSecret.Length > 0 ? provider.ClientSecret : null;
        options.ResponseType = "code";
        options.UsePkce = true;
        options.CallbackPath = provider.CallbackPath;
        // Metadata over plain http only from this machine (a test's provider); never a production default.
        options.RequireHttpsMetadata = !provider.IsLoopbackHttp;
        options.MapInboundClaims = false;
        options.SaveTokens = false;
        options.GetClaimsFromUserInfoEndpoint = false;
        options.DisableTelemetry = true;
        options.Scope.Clear();
        foreach (var scope in provider.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            options.Scope.Add(scope);
        }
        options.TokenValidationParameters.NameClaimType = provider.DisplayNameClaimType;
        options.TokenValidationParameters.ValidAudience = provider.ClientId;
        options.TokenValidationParameters.ValidateIssuer = true;
        options.TokenValidationParameters.ValidateAudience = true;
        // The id_token's nonce and the state's correlation cookie are the handler's, checked on every callback.
        options.ProtocolValidator.RequireNonce = true;
        if (provider.IsLoopbackHttp)
        {
            // A test's provider on loopback: the console is plain http too, where a browser keeps no SameSite=None cookie.
            options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.NonceCookie.SameSite = SameSiteMode.Lax;
        }
        options.Events = new OpenIdConnectEvents
        {
            OnMessageReceived = IdentityProviderSignIn.MessageReceivedAsync,
            OnTokenValidated = IdentityProviderSignIn.TokenValidatedAsync,
            OnTicketReceived = IdentityProviderSignIn.TicketReceivedAsync,
            OnRemoteFailure = IdentityProviderSignIn.RemoteFailureAsync,
            // No front-channel sign-out from the provider: a PharmacyRx session ends by its own sign-out, idle or absolute expiry.
            OnRemoteSignOut = context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                context.HandleResponse();
                return Task.CompletedTask;
            },
        };
    }
}
