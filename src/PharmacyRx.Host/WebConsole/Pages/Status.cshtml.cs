using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace PharmacyRx.Host.WebConsole.Pages;

/// <summary>The console's error pages: what a 403, 404 or 400 means to the person who met it. The status code is kept.</summary>
[IgnoreAntiforgeryToken]
[AllowAnonymous]
public sealed class StatusModel : PageModel
{
    public string Title { get; private set; } = "";

    public string Explanation { get; private set; } = "";

    public void OnGet(int code) => Describe(code);

    public void OnPost(int code) => Describe(code);

    private void Describe(int code)
    {
        (Title, Explanation) = code switch
        {
            StatusCodes.Status403Forbidden => ("Not allowed",
                "Your account does not have the permission this needs. The attempt was recorded in the audit trail. Ask pharmacy IT if you need it."),
            StatusCodes.Status404NotFound => ("Not found", "There is no such page or record."),
            StatusCodes.Status400BadRequest => ("The form could not be accepted",
                "The form was incomplete or has expired (for example after the service restarted). Go back, reload the page and try again."),
            _ => ($"Error {code}", "The request could not be completed."),
        };
    }
}
