using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PharmacyRx.Host.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.WebConsole.Pages;

/// <summary>
/// The lock screen of a shared counter (<see cref="ConsoleLock"/>): no patient information, only who may come back. The
/// locked user unlocks with their own password and returns to their page; another person signs in with theirs while the
/// first one's session waits, locked, with its page; each acts, and is audited, as themselves.
/// </summary>
[AllowAnonymous]
// Each handler checks the antiforgery token itself (FormIsCurrentAsync): a session that ends while its lock screen is shown
// changes who the token was for, and the screen is then shown again with a fresh one instead of an error page.
[IgnoreAntiforgeryToken]
public sealed class LockModel(SessionStore sessions, IDataProtectionProvider protection, ConsoleOptions options, IAntiforgery antiforgery) : PageModel
{
    /// <summary>A session waiting at this browser, as the screen offers it.</summary>
    public sealed record Waiting(int Index, string UserName, bool Ended);

    public string? Problem { get; private set; }

    public string ReturnPath { get; private set; } = "/";

    public IReadOnlyList<Waiting> Others { get; private set; } = [];

    public TimeSpan LockAfter => options.LockAfter;

    public async Task<IActionResult> OnGetAsync(string? @return, CancellationToken cancellationToken)
    {
        ReturnPath = ConsoleLock.SafeReturn(@return);
        if (User.IsSignedIn() && !User.IsLocked())
        {
            // Not locked: nothing to hide the page from.
            return Redirect(ReturnPath);
        }
        return await ShowAsync(cancellationToken);
    }

    /// <summary>The screen's script, while the user works: the request itself keeps the session current (it is not the lock screen).</summary>
    public IActionResult OnGetAlive() => User.IsSignedIn() && !User.IsLocked() ? new NoContentResult() : Unauthorized();

    /// <summary>Locks the screen now: the user steps away, or the screen's idle timer ran out.</summary>
    public async Task<IActionResult> OnPostNowAsync(string? @return, CancellationToken cancellationToken)
    {
        if (await FormIsCurrentAsync() is false)
        {
            return BadRequest();
        }
        if (ConsoleSession.Token(Request) is { } token)
        {
            await sessions.LockAsync(token, "locked from the console's screen", cancellationToken);
        }
        return Redirect($"{ConsoleLock.LockPath}?return={Uri.EscapeDataString(ConsoleLock.SafeReturn(@return))}");
    }

    public async Task<IActionResult> OnPostUnlockAsync(string? password, string? @return, CancellationToken cancellationToken)
    {
        ReturnPath = ConsoleLock.SafeReturn(@return);
        if (await FormIsCurrentAsync() is false)
        {
            return await StaleFormAsync(cancellationToken);
        }
        if (ConsoleSession.Token(Request) is not { } token)
        {
            return await RefuseAsync("Nobody is signed in at this screen: sign in below.", StatusCodes.Status401Unauthorized, cancellationToken);
        }
        var result = await sessions.UnlockAsync(token, password ?? "", From, cancellationToken);
        if (result.Outcome == LoginOutcome.Succeeded)
        {
            return Redirect(ReturnPath);
        }
        if (result.SessionEnded)
        {
            ConsoleSession.Close(HttpContext);
            return await RefuseAsync("That session has ended (15 minutes idle, or signed out elsewhere): sign in again below.", StatusCodes.Status401Unauthorized,
                cancellationToken);
        }
        return await RefuseAsync(Refusal(result.Outcome, result.RetryAfter), Status(result.Outcome), cancellationToken);
    }

    /// <summary>Returns to a session waiting at this browser, with its user's password; the current one waits in its place.</summary>
    public async Task<IActionResult> OnPostSwitchAsync(int index, string? password, string? @return, CancellationToken cancellationToken)
    {
        ReturnPath = ConsoleLock.SafeReturn(@return);
        if (await FormIsCurrentAsync() is false)
        {
            return await StaleFormAsync(cancellationToken);
        }
        var desk = ConsoleLock.Desk(HttpContext, protection).ToList();
        if (index < 0 || index >= desk.Count)
        {
            return await RefuseAsync("That session no longer waits here: sign in below.", StatusCodes.Status400BadRequest, cancellationToken);
        }
        var waiting = desk[index];
        var unlocked = await sessions.UnlockAsync(waiting.Token, password ?? "", From, cancellationToken);
        var token = waiting.Token;
        if (unlocked.SessionEnded)
        {
            // Its session ended while it waited: the same person signs in again and still gets their page back.
            var login = await sessions.LoginAsync(waiting.UserName, password ?? "", cancellationToken, From);
            if (login.Outcome != LoginOutcome.Succeeded)
            {
                return await RefuseAsync(Refusal(login.Outcome, login.RetryAfter), Status(login.Outcome), cancellationToken);
            }
            token = login.Token!;
        }
        else if (unlocked.Outcome != LoginOutcome.Succeeded)
        {
            return await RefuseAsync(Refusal(unlocked.Outcome, unlocked.RetryAfter), Status(unlocked.Outcome), cancellationToken);
        }
        desk.RemoveAt(index);
        await ParkCurrentAsync(desk, cancellationToken);
        ConsoleSession.Open(HttpContext, token);
        return Redirect(ConsoleLock.SafeReturn(waiting.ReturnPath));
    }

    /// <summary>Another person signs in at this screen; the locked session waits, with its page, until its user returns.</summary>
    public async Task<IActionResult> OnPostSignInAsync(string? userName, string? password, string? @return, CancellationToken cancellationToken)
    {
        ReturnPath = ConsoleLock.SafeReturn(@return);
        if (await FormIsCurrentAsync() is false)
        {
            return await StaleFormAsync(cancellationToken);
        }
        if (User.IsLocked() && string.Equals(Core.Access.UserNames.Normalize(userName ?? ""), User.Identity?.Name, StringComparison.OrdinalIgnoreCase))
        {
            // The locked user typed their own name: that is an unlock, not a second session of theirs.
            return await OnPostUnlockAsync(password, @return, cancellationToken);
        }
        var result = await sessions.LoginAsync(userName ?? "", password ?? "", cancellationToken, From);
        if (result.Outcome != LoginOutcome.Succeeded)
        {
            return await RefuseAsync(Refusal(result.Outcome, result.RetryAfter), Status(result.Outcome), cancellationToken);
        }
        // With nobody's session left at this screen (it ended while locked), the page it showed is the one to go back to;
        // with a locked session here, that page waits for its own user and the newcomer starts at their landing page.
        var landing = User.IsSignedIn() ? "/" : ReturnPath;
        var desk = ConsoleLock.Desk(HttpContext, protection).ToList();
        await ParkCurrentAsync(desk, cancellationToken);
        ConsoleSession.Open(HttpContext, result.Token!);
        return Redirect(result.PasswordChangeRequired ? ConsoleSession.PasswordPath : landing);
    }

    private Task<bool> FormIsCurrentAsync() => antiforgery.IsRequestValidAsync(HttpContext);

    // The form was made for a session that has since ended (or was not this screen's): nothing is done; the screen is shown
    // again, for whoever is here now, with a fresh form.
    private Task<IActionResult> StaleFormAsync(CancellationToken cancellationToken)
    {
        var ended = !User.IsSignedIn() && ConsoleSession.Token(Request) is not null;
        if (ended)
        {
            ConsoleSession.Close(HttpContext);
        }
        return RefuseAsync(ended ? "That session has ended (15 minutes idle, or signed out elsewhere): sign in again below."
            : "This screen changed since the form was shown: try again.", StatusCodes.Status400BadRequest, cancellationToken);
    }

    private ClientAddress From => ClientAddress.Of(HttpContext.Connection.RemoteIpAddress);

    // The current session (locked, so its screen shows nothing) waits at the desk with the page it was on.
    private async Task ParkCurrentAsync(List<ConsoleLock.Parked> desk, CancellationToken cancellationToken)
    {
        if (ConsoleSession.Token(Request) is { } current && User.Identity?.Name is { } name)
        {
            await sessions.LockAsync(current, "another person signed in at the same screen", cancellationToken);
            desk.RemoveAll(p => p.Token == current);
            desk.Add(new ConsoleLock.Parked(current, name, ReturnPath));
        }
        ConsoleLock.SetDesk(HttpContext, protection, desk);
    }

    private async Task<IActionResult> RefuseAsync(string problem, int status, CancellationToken cancellationToken)
    {
        Problem = problem;
        Response.StatusCode = status;
        return await ShowAsync(cancellationToken);
    }

    private async Task<IActionResult> ShowAsync(CancellationToken cancellationToken)
    {
        var others = new List<Waiting>();
        foreach (var (parked, index) in ConsoleLock.Desk(HttpContext, protection).Select((p, i) => (p, i)))
        {
            var open = await sessions.AuthenticateSessionAsync(parked.Token, cancellationToken, activity: false);
            others.Add(new Waiting(index, open?.UserName ?? parked.UserName, open is null));
        }
        Others = others;
        return Page();
    }

    private static string Refusal(LoginOutcome outcome, DateTimeOffset? retryAfter) => outcome switch
    {
        LoginOutcome.Throttled => $"Too many failed sign-ins: try again after {retryAfter:yyyy-MM-dd HH:mm:ss} UTC.",
        LoginOutcome.TooLong => "The user name or password is too long.",
        // One answer for an unknown user, a wrong password and a disabled account, as at sign-in.
        _ => "The user name or password is wrong, or the account is disabled.",
    };

    private static int Status(LoginOutcome outcome) =>
        outcome == LoginOutcome.Throttled ? StatusCodes.Status429TooManyRequests : StatusCodes.Status401Unauthorized;
}
