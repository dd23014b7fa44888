using PharmacyRx.Core.Access;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Access;

/// <summary>
/// Changes the signed-in user's own password, for the API and the console alike: the policy first, then the current
/// password under the same lockout as a sign-in (a stolen session cannot guess it freely; a wrong one is audited as a
/// failed login, 1311.215(a)(1)), then the change, which ends the user's other sessions.
/// </summary>
public sealed class OwnPasswordChange(SessionStore sessions, UserPasswords passwords)
{
    /// <summary>What happened: <see cref="Refusal"/> is null when the password was changed.</summary>
    public sealed record Outcome(LoginOutcome Check, string? Refusal, DateTimeOffset? RetryAfter = null)
    {
        public bool Changed => Refusal is null;
    }

    public async Task<Outcome> ChangeAsync(string userName, string currentPassword, string newPassword, string sessionToken, CancellationToken cancellationToken,
        Storage.Access.ClientAddress? from = null)
    {
        if (PasswordPolicy.Refusal(newPassword, currentPassword) is { } refusal)
        {
            return new(LoginOutcome.Failed, refusal);
        }
        var check = await sessions.CheckPasswordAsync(userName, currentPassword, "password change", cancellationToken, from);
        if (check.Outcome != LoginOutcome.Succeeded)
        {
            return new(check.Outcome, check.Outcome switch
            {
                LoginOutcome.Throttled => $"too many failed attempts: try again after {check.RetryAfter:yyyy-MM-ddTHH:mm:ssZ}",
                LoginOutcome.TooLong => $"a user name is at most {TextLimits.UserName} characters and a password at most {TextLimits.Password}",
                _ => "the current password is wrong",
            }, check.RetryAfter);
        }
        await passwords.ChangeOwnAsync(check.UserName!, PasswordHasher.Hash(newPassword), sessionToken, cancellationToken);
        return new(LoginOutcome.Succeeded, null);
    }
}
