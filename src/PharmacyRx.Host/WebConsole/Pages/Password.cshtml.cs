using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Host.Access;

namespace PharmacyRx.Host.WebConsole.Pages;

/// <summary>Changes one's own password (<see cref="OwnPasswordChange"/>): the only page a one-time password's session may open.</summary>
[Authorize(Policy = AccessServices.AnySession)]
public sealed class PasswordModel(OwnPasswordChange change) : PageModel
{
    public string? Problem { get; private set; }

    public bool OneTime => User.HasClaim(TokenAuthenticationHandler.SessionClaim, TokenAuthenticationHandler.PasswordChangeOnly);

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? currentPassword, string? newPassword, CancellationToken cancellationToken)
    {
        var outcome = await change.ChangeAsync(User.Identity!.Name!, currentPassword ?? "", newPassword ?? "",
            ConsoleSession.Token(Request) ?? "", cancellationToken, Storage.Access.ClientAddress.Of(HttpContext.Connection.RemoteIpAddress));
        if (outcome.Changed)
        {
            return Redirect("/");
        }
        Problem = outcome.Refusal;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
