using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Host.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.WebConsole.Pages;

/// <summary>Ends the session in the session store (or, "everywhere", every session of the user) and drops the cookie.</summary>
[Authorize(Policy = AccessServices.AnySession)]
public sealed class SignOutModel(SessionStore sessions) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync(bool everywhere, CancellationToken cancellationToken)
    {
        if (ConsoleSession.Token(Request) is { } token)
        {
            await sessions.LogoutAsync(token, cancellationToken, everywhere);
        }
        ConsoleSession.Close(HttpContext);
        return Redirect(ConsoleSession.SignInPath);
    }
}
