using PharmacyRx.Core.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Access;

/// <summary>Creates users for the CLI and the API alike: checks the name and roles, and makes a one-time password.</summary>
public sealed class UserAdministration(UserStore users, AccessStore access)
{
    /// <summary>The created user's one-time password, or why no user was created.</summary>
    public sealed record Created(string UserName, string? Password, string Problem, bool Conflict);

    public async Task<Created> CreateAsync(
        string userName, string fullName, string initials, IReadOnlyList<string> roles, string actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(userName) || userName.Length > 64 || !userName.All(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            return new(userName, null, "a user name is 1 to 64 letters, digits, '.', '-' or '_'", false);
        }
        if (string.IsNullOrWhiteSpace(fullName) || string.IsNullOrWhiteSpace(initials))
        {
            return new(userName, null, "a user needs a full name and initials (dispensing records show them)", false);
        }
        var known = (await access.ListRolesAsync(cancellationToken)).ToDictionary(r => r.RoleName, r => r.RoleName, StringComparer.OrdinalIgnoreCase);
        if (roles.FirstOrDefault(role => !known.ContainsKey(role)) is { } unknown)
        {
            return new(userName, null, $"no role {unknown}", false);
        }
        var password = PasswordHasher.GeneratePassword();
        var user = new UserStore.NewUser(userName, fullName.Trim(), initials.Trim(), PasswordHasher.Hash(password), roles.Select(role => known[role]).Distinct().ToArray());
        return await users.CreateAsync(user, actor, cancellationToken)
            ? new(userName, password, "", false)
            : new(userName, null, $"user {userName} already exists", true);
    }
}
