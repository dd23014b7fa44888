using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using PharmacyRx.Host.WebConsole;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Access;

/// <summary>
/// A validated id_token from the identity provider opens a session for its issuer and subject, with roles only via
/// mapped group or app-role values (<see cref="SessionStore.LoginFederatedAsync"/>, 1311.205(b)(1)-(2)). Any other
/// callback (a forged or foreign token, a bad state, nothing mapped) opens nothing and is audited (1311.215(a)(1)).
/// </summary>
internal static partial class IdentityProviderSignIn
{
    /// <summary>Where a browser lands once signed in: a page of ours, so the SameSite=Strict session cookie goes with the next step.</summary>
    public const string SignedInPath = "/signed-in";

    /// <summary>The sign-in page, with why the provider's sign-in opened nothing.</summary>
    public const string RefusedPath = "/?signin=refused";

    /// <summary>
    /// RFC 9207: an authorization response names the issuer that sent it; one from another issuer (a mix-up: the browser
    /// sent to another provider with this sign-in's request) is refused before any code is redeemed. A provider that says
    /// it names itself must.
    /// </summary>
    public static async Task MessageReceivedAsync(MessageReceivedContext context)
    {
        var configuration = await context.Options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);
        var iss = context.ProtocolMessage.GetParameter("iss");
        if (iss is null ? configuration.AuthorizationResponseIssParameterSupported : !string.Equals(iss, configuration.Issuer, StringComparison.Ordinal))
        {
            context.Fail("the authorization response's iss is not the configured issuer (RFC 9207 mix-up)");
        }
    }

    /// <summary>
    /// The code flow takes its id_token from the token endpoint alone, over the back channel with the client's secret and
    /// PKCE verifier. One that came through the browser (injected into the answer, even a valid one) opens nothing.
    /// </summary>
    public static Task TokenValidatedAsync(TokenValidatedContext context)
    {
        if (context.TokenEndpointResponse is null)
        {
            context.Fail("an id_token in the authorization response: this client takes tokens from the token endpoint only");
        }
        return Task.CompletedTask;
    }

    public static async Task TicketReceivedAsync(TicketReceivedContext context)
    {
        var services = context.HttpContext.RequestServices;
        var provider = services.GetRequiredService<IOptions<IdentityProviderOptions>>().Value;
        var principal = context.Principal!;
        var subject = principal.FindFirst("sub");
        var person = new SessionStore.FederatedPerson(
            subject?.Issuer ?? "",
            subject?.Value ?? "",
            principal.FindFirst(provider.DisplayNameClaimType)?.Value ?? "",
            provider.RoleClaimType,
            [.. principal.FindAll(provider.RoleClaimType).Select(c => c.Value)]);
        var result = await services.GetRequiredService<SessionStore>().LoginFederatedAsync(person, context.HttpContext.RequestAborted,
            ClientAddress.Of(context.HttpContext.Connection.RemoteIpAddress));
        context.HandleResponse();
        if (result.Outcome == LoginOutcome.Succeeded)
        {
            ConsoleSession.Open(context.HttpContext, result.Token!);
            context.Response.Redirect(SignedInPath);
            return;
        }
        context.Response.Redirect(RefusedPath);
    }

    public static Task RemoteFailureAsync(RemoteFailureContext context)
    {
        var why = Classify(context.Failure);
        LogRefused(context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IdentityProviderSignIn)), why,
            context.Failure?.GetType().Name ?? "none");
        // No identity came with it: counted and audited as anonymous refusals, one event per window and address group.
        context.HttpContext.RequestServices.GetRequiredService<AnonymousRefusals>().Refuse(context.HttpContext, $"sign-in via provider: {why}");
        context.HandleResponse();
        context.Response.Redirect(RefusedPath);
        return Task.CompletedTask;
    }

    /// <summary>A failure in a few words for the audit trail (at most 42 characters), never the token itself.</summary>
    internal static string Classify(Exception? failure) => failure?.Message switch
    {
        null => "refused",
        var m when m.Contains("Correlation failed", StringComparison.Ordinal) || m.Contains("message.State", StringComparison.Ordinal)
            => "state not this browser's or used",
        var m when m.Contains("this client takes tokens from the token endpoint", StringComparison.Ordinal) => "id_token not from the token endpoint",
        var m when m.Contains("IDX10214", StringComparison.Ordinal) => "id_token for another client",
        var m when m.Contains("IDX10205", StringComparison.Ordinal) || m.Contains("IDX10211", StringComparison.Ordinal) || m.Contains("RFC 9207", StringComparison.Ordinal)
            => "from another issuer",
        var m when m.Contains("IDX10500", StringComparison.Ordinal) || m.Contains("IDX10503", StringComparison.Ordinal) || m.Contains("IDX10511", StringComparison.Ordinal)
            || m.Contains("IDX10517", StringComparison.Ordinal) || m.Contains("signature", StringComparison.OrdinalIgnoreCase)
            => "id_token signature fails",
        var m when m.Contains("nonce", StringComparison.OrdinalIgnoreCase) => "nonce not this sign-in's",
        var m when m.Contains("access_denied", StringComparison.Ordinal) => "provider refused or person cancelled",
        var m when m.Contains("invalid_grant", StringComparison.Ordinal) => "code not redeemed",
        _ => "answer did not validate",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "identity provider sign-in refused: {Why} ({Failure})")]
    private static partial void LogRefused(ILogger logger, string why, string failure);
}
