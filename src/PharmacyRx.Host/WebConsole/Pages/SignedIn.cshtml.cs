using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace PharmacyRx.Host.WebConsole.Pages;

/// <summary>
/// Where the identity provider's sign-in lands: a page of ours that moves on to the console by itself, so the next
/// request is the site's own and carries the SameSite=Strict session cookie the provider's cross-site answer could not.
/// </summary>
[AllowAnonymous]
public sealed class SignedInModel : PageModel
{
    public void OnGet()
    {
    }
}
