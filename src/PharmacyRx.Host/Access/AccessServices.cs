using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using PharmacyRx.Core.Access;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Access;

/// <summary>
/// Authentication by session token or API key, and one authorization policy per <see cref="Permission"/>. Every policy,
/// the default one included, needs a full session: a session opened with a one-time password reaches only the routes
/// marked <see cref="AnySession"/> (change the password, log out).
/// </summary>
public static class AccessServices
{
    /// <summary>The policy of the routes a session that may only change its password can reach.</summary>
    public const string AnySession = "AnySession";

    /// <summary>Users, their roles and sessions, and the requests awaiting a second administrator (1311.205(b)(1)-(3)).</summary>
    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddSingleton<UserStore>();
        services.AddSingleton<AccessStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<UserPasswords>();
        services.AddSingleton<UserAdministration>();
        services.AddSingleton<AccessRequests>();
        services.AddSingleton<AccessPolicy>();
        services.AddSingleton<AccessApprovals>();
        services.AddSingleton<ClaimRoleMappings>();
        return services;
    }

    /// <summary>The doors' side: authentication by session token or API key, and the authorization policies.</summary>
    public static IServiceCollection AddPharmacyAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<AnonymousOptions>(configuration, "Anonymous");
        services.AddSingleton<AnonymousRefusals>();
        services.AddHostedService(provider => provider.GetRequiredService<AnonymousRefusals>());
        services.AddKnownProxies(configuration);
        services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        services.AddPharmacyIdentityProvider(configuration);
        services.AddAuthorization(options =>
        {
            options.DefaultPolicy = new AuthorizationPolicyBuilder()
                .RequireAuthenticatedUser()
                .RequireClaim(TokenAuthenticationHandler.SessionClaim, TokenAuthenticationHandler.FullSession)
                .Build();
            options.AddPolicy(AnySession, policy => policy.RequireAuthenticatedUser());
            foreach (var permission in Enum.GetValues<Permission>())
            {
                options.AddPolicy(permission.ToString(), policy => policy
                    .RequireAuthenticatedUser()
                    .RequireClaim(TokenAuthenticationHandler.SessionClaim, TokenAuthenticationHandler.FullSession)
                    .RequireClaim(TokenAuthenticationHandler.PermissionClaim, permission.ToString()));
            }
        });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuditingAuthorizationResultHandler>();
        services.AddSingleton<OwnPasswordChange>();
        return services;
    }

    /// <summary>Requires a permission on an endpoint or group (1311.205(b)(1)).</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission permission) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(permission.ToString());

    /// <summary>The signed-in user's name.</summary>
    public static string UserName(this HttpContext context) => context.User.Identity?.Name ?? "anonymous";
}
