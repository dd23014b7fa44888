using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using PharmacyRx.Host.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.WebConsole.Pages;

/// <summary>
/// Sign in with the session store's own login: the same lockout, audit and one-time-password rule as the API; or, when
/// the pharmacy has one, through its identity provider (<see cref="IdentityProviderSignIn"/>).
/// </summary>
[AllowAnonymous]
public sealed class SignInModel(SessionStore sessions, IOptions<IdentityProviderOptions> identityProvider) : PageModel
{
    public string? Problem { get; private set; }

    public string UserName { get; private set; } = "";

    /// <summary>What the provider's button calls it, or null when there is none.</summary>
    public string? Provider => identityProvider.Value.Enabled ? identityProvider.Value.DisplayName : null;

    public IActionResult OnGet(string? signin)
    {
        if (User.IsSignedIn())
        {
            return Redirect(ConsoleNavigation.Landing(User));
        }
        if (signin == "refused")
        {
            // One answer for every refusal: what was wrong is in the audit trail, not told to whoever asked.
            Problem = "The identity provider's sign-in opened no session here: the account holds no group or role this pharmacy maps, is disabled here, "
                + "or the answer did not validate. Ask pharmacy IT.";
        }
        return Page();
    }

    /// <summary>
    /// Starts the identity provider's sign-in (authorization code with PKCE); it comes back to the callback path. A GET: the
    /// state and nonce it sets are bound to this browser, so a sign-in someone else starts cannot finish in it.
    /// </summary>
    public IActionResult OnGetProvider() => Provider is null
        ? NotFound()
        : Challenge(new AuthenticationProperties { RedirectUri = IdentityProviderSignIn.SignedInPath }, IdentityProviderServices.SchemeName);

    public async Task<IActionResult> OnPostAsync(string? userName, string? password, CancellationToken cancellationToken)
    {
        var result = await sessions.LoginAsync(userName ?? "", password ?? "", cancellationToken, Storage.Access.ClientAddress.Of(HttpContext.Connection.RemoteIpAddress));
        if (result.Outcome == LoginOutcome.Succeeded)
        {
            ConsoleSession.Open(HttpContext, result.Token!);
            // The next request authenticates with the new cookie; its landing page depends on its permissions.
            return Redirect(result.PasswordChangeRequired ? ConsoleSession.PasswordPath : "/");
        }
        UserName = userName is { Length: <= Core.Access.TextLimits.UserName } ? userName : "";
        Problem = result.Outcome switch
        {
            LoginOutcome.Throttled => $"Too many failed sign-ins: try again after {result.RetryAfter:yyyy-MM-dd HH:mm:ss} UTC.",
            LoginOutcome.TooLong => "The user name or password is too long.",
            // One answer for an unknown user, a wrong password and a disabled account.
            _ => "The user name or password is wrong, or the account is disabled.",
        };
        Response.StatusCode = result.Outcome == LoginOutcome.Throttled ? StatusCodes.Status429TooManyRequests : StatusCodes.Status401Unauthorized;
        return Page();
    }
}
