using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using PharmacyRx.Host.WebConsole;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Access;

/// <summary>
/// What follows a callback from the identity provider. A validated id_token opens a PharmacyRx session for its issuer
/// and subject (<see cref="SessionStore.LoginFederatedAsync"/>), with roles only through mapped group or app-role values
/// (1311.205(b)(1)-(2)); anything else (a forged or foreign token, another client's, a state not this browser's or used
/// before, a person with nothing mapped) opens nothing and is audited (1311.215(a)(1)).
/// </summary>
internal static partial class IdentityProviderSignIn
{
    /// <summary>Where a browser lands once signed in: a page of ours, so the SameSite=Strict session cookie goes with the next step.</summary>
    public const string SignedInPath = "/signed-in";

    /// <summary>The sign-in page, with why the provider's sign-in opened nothing.</summary>
    public const string RefusedPath = "/?signin=refused";

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
        context.HttpContext.RequestServices.GetRequiredService<AnonymousRefusals>().Refuse(context.HttpContext, $"identity provider sign-in: {why}");
        context.HandleResponse();
        context.Response.Redirect(RefusedPath);
        return Task.CompletedTask;
    }

    /// <summary>A failure in words for the audit trail, never the token itself.</summary>
    internal static string Classify(Exception? failure) => failure?.Message switch
    {
        null => "refused",
        var m when m.Contains("Correlation failed", StringComparison.Ordinal) || m.Contains("state", StringComparison.OrdinalIgnoreCase)
            => "state not issued to this browser, or used already",
        var m when m.Contains("IDX10214", StringComparison.Ordinal) => "id_token for another client (audience)",
        var m when m.Contains("IDX10205", StringComparison.Ordinal) || m.Contains("IDX10211", StringComparison.Ordinal) => "id_token from another issuer",
        var m when m.Contains("IDX10500", StringComparison.Ordinal) || m.Contains("IDX10503", StringComparison.Ordinal) || m.Contains("IDX10511", StringComparison.Ordinal)
            || m.Contains("IDX10517", StringComparison.Ordinal) || m.Contains("signature", StringComparison.OrdinalIgnoreCase)
            => "id_token signature does not hold under the provider's keys",
        var m when m.Contains("nonce", StringComparison.OrdinalIgnoreCase) => "id_token nonce is not this sign-in's",
        var m when m.Contains("access_denied", StringComparison.Ordinal) => "the provider refused or the person cancelled",
        var m when m.Contains("invalid_grant", StringComparison.Ordinal) => "the provider did not redeem the code",
        _ => "the provider's answer did not validate",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "identity provider sign-in refused: {Why} ({Failure})")]
    private static partial void LogRefused(ILogger logger, string why, string failure);
}
