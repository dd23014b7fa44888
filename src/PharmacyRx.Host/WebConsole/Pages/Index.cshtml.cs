using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Host.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.WebConsole.Pages;

/// <summary>Sign in with the session store's own login: the same lockout, audit and one-time-password rule as the API.</summary>
[AllowAnonymous]
public sealed class SignInModel(SessionStore sessions) : PageModel
{
    public string? Problem { get; private set; }

    public string UserName { get; private set; } = "";

    public IActionResult OnGet() => User.IsSignedIn() ? Redirect(ConsoleNavigation.Landing(User)) : Page();

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
