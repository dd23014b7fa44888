using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Host.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.WebConsole.Pages;

/// <summary>
/// Ends the session in the session store (or, "everywhere", every session of the user) and drops the cookie; where
/// other people's sessions wait at this browser (<see cref="ConsoleLock"/>), the lock screen offers them next.
/// </summary>
[Authorize(Policy = AccessServices.AnySession)]
public sealed class SignOutModel(SessionStore sessions, IDataProtectionProvider protection) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync(bool everywhere, CancellationToken cancellationToken)
    {
        if (ConsoleSession.Token(Request) is { } token)
        {
            await sessions.LogoutAsync(token, cancellationToken, everywhere);
        }
        ConsoleSession.Close(HttpContext);
        return Redirect(ConsoleLock.Desk(HttpContext, protection).Count > 0 ? ConsoleLock.LockPath : ConsoleSession.SignInPath);
    }
}
