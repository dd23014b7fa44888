using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Access;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Access;

/// <summary>
/// Creates users and resets passwords for the CLI and the API alike: checks the name (normalised, one script, no
/// look-alike of an existing user), the lengths and the roles, and makes a one-time password.
/// </summary>
public sealed class UserAdministration(UserStore users, AccessStore access, AuditLog audit, TimeProvider time)
{
    /// <summary>
    /// The created user's one-time password (none for a service account: it signs in by API key only, and its password is
    /// one nobody was shown), or why no user was created.
    /// </summary>
    public sealed record Created(string UserName, string? Password, string Problem, bool Conflict)
    {
        public bool Succeeded => Problem.Length == 0;
    }

    /// <summary>A new one-time password, or why none was set.</summary>
    public sealed record Reset(string? Password, AccessResult Result);

    public async Task<Created> CreateAsync(
        string userName, string fullName, string initials, IReadOnlyList<string> roles, string actor, CancellationToken cancellationToken) =>
        await CreateAsync(userName, fullName, initials, roles, UserKind.Person, actor, cancellationToken);

    public async Task<Created> CreateAsync(
        string userName, string fullName, string initials, IReadOnlyList<string> roles, UserKind kind, string actor, CancellationToken cancellationToken)
    {
        if (userName.Length > TextLimits.UserName)
        {
            return new(TextLimits.ForAudit(userName), null, $"a user name is at most {TextLimits.UserName} characters", false);
        }
        var name = UserNames.Normalize(userName);
        if (UserNames.LookAlikeOf(name, (await access.ListUsersAsync(cancellationToken)).Select(u => u.UserName)) is { } existing)
        {
            return new(name, null, $"user name {name} looks like the existing user {existing}; choose a name that cannot be mistaken for it", false);
        }
        if (UserNames.Problem(name) is { } problem)
        {
            return new(name, null, problem, false);
        }
        if (string.IsNullOrWhiteSpace(fullName) || string.IsNullOrWhiteSpace(initials))
        {
            return new(name, null, "a user needs a full name and initials (dispensing records show them)", false);
        }
        if (fullName.Length > TextLimits.Text || initials.Length > TextLimits.Text || roles.Count > TextLimits.Fields)
        {
            return new(name, null, $"a full name and initials are at most {TextLimits.Text} characters", false);
        }
        var known = (await access.ListRolesAsync(cancellationToken)).ToDictionary(r => r.RoleName, r => r, StringComparer.OrdinalIgnoreCase);
        if (roles.FirstOrDefault(role => !known.ContainsKey(role)) is { } unknown)
        {
            return new(name, null, $"no role {TextLimits.ForAudit(unknown)}", false);
        }
        var forbidden = kind != UserKind.Service ? [] : roles.SelectMany(role => known[role].Permissions)
            .Where(p => ExactName.TryParse<Permission>(p, out var permission) && !ServiceAccounts.MayHold(kind, permission))
            .Distinct().Order(StringComparer.Ordinal).ToArray();
        if (forbidden.Length > 0)
        {
            var refusal = $"a service account may not hold {string.Join(", ", forbidden)}";
            // 1311.215(a)(2): a role that would let a service account (whose API key an administrator holds) act as a pharmacist.
            await audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.UnauthorizedModificationAttempt, actor, AuditOutcome.Failure, name,
                $"function={AuditEventTypes.UserCreated}; roles={string.Join(',', roles.Select(role => known[role].RoleName))}; refused: {refusal}")],
                cancellationToken);
            return new(name, null, refusal, false);
        }
        var password = PasswordHasher.GeneratePassword();
        var user = new UserStore.NewUser(name, fullName.Trim(), initials.Trim(), PasswordHasher.Hash(password),
            roles.Select(role => known[role].RoleName).Distinct().ToArray(), kind);
        return await users.CreateAsync(user, actor, cancellationToken)
            ? new(name, kind == UserKind.Service ? null : password, "", false)
            : new(name, null, $"user {name} already exists", true);
    }

    /// <summary>Gives another user a new one-time password; their sessions end (see <see cref="AccessStore.ResetPasswordAsync"/>).</summary>
    public async Task<Reset> ResetPasswordAsync(string userName, string actor, CancellationToken cancellationToken)
    {
        var password = PasswordHasher.GeneratePassword();
        var result = await access.ResetPasswordAsync(UserNames.Normalize(userName), PasswordHasher.Hash(password), actor, cancellationToken);
        return new(result.Outcome == AccessOutcome.Changed ? password : null, result);
    }
}
