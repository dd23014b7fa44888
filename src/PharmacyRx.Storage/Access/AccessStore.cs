using System.Data.Common;
using Dapper;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Integrity;

namespace PharmacyRx.Storage.Access;

/// <summary>
/// Users, roles and grants (1311.205(b)(1)-(2)), each change audited with before and after in its own transaction
/// (1311.215(a)(4)). Refused and audited as attempted unauthorized modification (1311.215(a)(2)): changing one's own
/// permissions (or a held role's), and giving a service account anything in <see cref="ServiceAccounts.Forbidden"/>.
/// </summary>
public sealed class AccessStore(Database database, TimeProvider time)
{
    /// <summary>A user as listed: status, roles and permissions granted by name.</summary>
    public sealed record UserView(string UserName, string FullName, string Initials, string Status, string Kind, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions);

    /// <summary>A role and what it grants.</summary>
    public sealed record RoleView(string RoleName, string Description, IReadOnlyList<string> Permissions);

    /// <summary>The stored password hash, status and kind of a user, for login; whether the password is one-time.</summary>
    public sealed record Credentials(string UserName, string Status, string PasswordHash, string Kind, long PasswordChangeRequired);

    public async Task<Credentials?> CredentialsAsync(string userName, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT user_name, status, password_hash, kind, CAST(password_change_required AS bigint) AS password_change_required FROM users WHERE user_name = @UserName
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Credentials>(new CommandDefinition(sql, new { UserName = userName }, cancellationToken: cancellationToken));
    }

    /// <summary>A user's initials as pharmacy IT recorded them (a dispensing form offers them), or null for an unknown user.</summary>
    public async Task<string?> InitialsAsync(string userName, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT initials FROM users WHERE user_name = @UserName
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(sql, new { UserName = userName }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// What an active user may do: permissions granted by name and through roles, and for a person of the identity provider
    /// through the roles their group or app-role values are mapped to (<see cref="ClaimRoleMappings"/>). Empty for a
    /// disabled or unknown user.
    /// </summary>
    public async Task<IReadOnlySet<Permission>> PermissionsAsync(string userName, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await PermissionsAsync(connection, null, userName, cancellationToken);
    }

    /// <summary>What the account holds whatever its status: what enabling it again would give (the two-person rule judges by it).</summary>
    public async Task<IReadOnlySet<Permission>> PermissionsHeldAsync(string userName, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await PermissionsAsync(connection, null, userName, cancellationToken, whateverStatus: true);
    }

    public async Task<IReadOnlyList<UserView>> ListUsersAsync(CancellationToken cancellationToken)
    {
        var sql = $"""
            {SelectUsers(database.Dialect)}
            FROM users u ORDER BY u.user_name
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string UserName, string FullName, string Initials, string Status, string Kind, string? Roles, string? Permissions)>(
            new CommandDefinition(sql, cancellationToken: cancellationToken));
        return rows.Select(r => new UserView(r.UserName, r.FullName, r.Initials, r.Status, r.Kind, Split(r.Roles), Split(r.Permissions))).ToArray();
    }

    public async Task<IReadOnlyList<RoleView>> ListRolesAsync(CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT r.role_name, r.description,
                   (SELECT {database.Dialect.JoinSorted("permission")} FROM role_permissions p WHERE p.role_name = r.role_name) AS permissions
            FROM roles r ORDER BY r.role_name
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string RoleName, string Description, string? Permissions)>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        return rows.Select(r => new RoleView(r.RoleName, r.Description, Split(r.Permissions))).ToArray();
    }

    public Task<AccessResult> DisableAsync(string userName, string actor, CancellationToken cancellationToken) =>
        ChangeUserAsync(userName, actor, AuditEventTypes.UserDisabled, async (connection, transaction, before) =>
        {
            if (before.Status == "Disabled")
            {
                return null;
            }
            const string sql = """
                UPDATE users SET status = 'Disabled' WHERE user_name = @UserName;
                UPDATE api_keys SET revoked_at = @Now WHERE user_name = @UserName AND revoked_at IS NULL
                """;
            var now = time.GetUtcNow();
            await connection.ExecuteAsync(new CommandDefinition(sql,
                new { UserName = userName, Now = ReceiptSeal.FormatTimestamp(now) }, transaction, cancellationToken: cancellationToken));
            await SessionStore.EndAllAsync(connection, transaction, userName, now, null, cancellationToken);
            return "status=Disabled; sessions ended; API keys revoked";
        }, cancellationToken);

    /// <summary>Enables a disabled user again. The event names who did it: the daily report treats an account one re-enabled as one's own.</summary>
    public Task<AccessResult> EnableAsync(string userName, string actor, CancellationToken cancellationToken) =>
        ChangeUserAsync(userName, actor, AuditEventTypes.UserEnabled, async (connection, transaction, before) =>
        {
            if (before.Status == "Active")
            {
                return null;
            }
            const string sql = """
                UPDATE users SET status = 'Active' WHERE user_name = @UserName
                """;
            await connection.ExecuteAsync(new CommandDefinition(sql, new { UserName = userName }, transaction, cancellationToken: cancellationToken));
            return $"status=Active; enabledBy={actor}";
        }, cancellationToken);

    /// <summary>
    /// Gives another user a new one-time password (its hash only): their sessions end and their next sign-in may only
    /// change it, so the administrator who knows it cannot use it unnoticed. Nobody resets their own.
    /// </summary>
    public Task<AccessResult> ResetPasswordAsync(string userName, string passwordHash, string actor, CancellationToken cancellationToken) =>
        ChangeUserAsync(userName, actor, AuditEventTypes.PasswordReset, "password", (_, _, before) => Task.FromResult(before.Kind == nameof(UserKind.Federated)
            ? $"{before.UserName} signs in through the identity provider and has no password here"
            : null), async (connection, transaction, before) =>
        {
            const string sql = """
                UPDATE users SET password_hash = @Hash, password_change_required = 1 WHERE user_name = @UserName
                """;
            await connection.ExecuteAsync(new CommandDefinition(sql,
                new { UserName = userName, Hash = passwordHash }, transaction, cancellationToken: cancellationToken));
            await SessionStore.EndAllAsync(connection, transaction, userName, time.GetUtcNow(), null, cancellationToken);
            return $"one-time password set; sessions ended; resetBy={actor}";
        }, cancellationToken);

    public Task<AccessResult> GrantAsync(string userName, Permission permission, string actor, CancellationToken cancellationToken) =>
        ChangeUserAsync(userName, actor, AuditEventTypes.PermissionGranted, $"permission={permission}", (_, _, before) => Task.FromResult(
            IsService(before) && !ServiceAccounts.MayHold(UserKind.Service, permission) ? $"{before.UserName} is a service account and may not hold {permission}" : null),
            async (connection, transaction, before) =>
        {
            var sql = $"""
                INSERT INTO user_permissions (user_name, permission) VALUES (@UserName, @Permission) {database.Dialect.IgnoreDuplicateKey}
                """;
            var added = await connection.ExecuteAsync(new CommandDefinition(sql,
                new { UserName = userName, Permission = permission.ToString() }, transaction, cancellationToken: cancellationToken));
            return added == 0 ? null : $"permissions={string.Join(',', before.Permissions.Append(permission.ToString()).Order(StringComparer.Ordinal))}";
        }, cancellationToken);

    public Task<AccessResult> RevokeAsync(string userName, Permission permission, string actor, CancellationToken cancellationToken) =>
        ChangeUserAsync(userName, actor, AuditEventTypes.PermissionRevoked, async (connection, transaction, before) =>
        {
            const string sql = """
                DELETE FROM user_permissions WHERE user_name = @UserName AND permission = @Permission
                """;
            var removed = await connection.ExecuteAsync(new CommandDefinition(sql,
                new { UserName = userName, Permission = permission.ToString() }, transaction, cancellationToken: cancellationToken));
            return removed == 0 ? null : $"permissions={string.Join(',', before.Permissions.Where(p => p != permission.ToString()))}";
        }, cancellationToken);

    public async Task<AccessResult> AssignRoleAsync(string userName, string role, string actor, CancellationToken cancellationToken)
    {
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            if (!await RoleExistsAsync(connection, null, role, cancellationToken))
            {
                return AccessResult.NotFound($"no role {role}");
            }
        }
        return await ChangeUserAsync(userName, actor, AuditEventTypes.RoleAssigned, $"role={role}", async (connection, transaction, before) =>
        {
            if (!IsService(before))
            {
                return null;
            }
            var forbidden = (await RolePermissionsAsync(connection, transaction, role, cancellationToken))
                .Where(p => ExactName.TryParse<Permission>(p, out var permission) && !ServiceAccounts.MayHold(UserKind.Service, permission)).ToArray();
            return forbidden.Length == 0 ? null : $"{before.UserName} is a service account and may not hold {string.Join(", ", forbidden)} (role {role} grants it)";
        }, async (connection, transaction, before) =>
        {
            var sql = $"""
                INSERT INTO user_roles (user_name, role_name) VALUES (@UserName, (SELECT role_name FROM roles WHERE role_name = @Role)) {database.Dialect.IgnoreDuplicateKey}
                """;
            var added = await connection.ExecuteAsync(new CommandDefinition(sql, new { UserName = userName, Role = role }, transaction, cancellationToken: cancellationToken));
            return added == 0 ? null : $"roles={string.Join(',', before.Roles.Append(role).Order(StringComparer.OrdinalIgnoreCase))}";
        }, cancellationToken);
    }

    public Task<AccessResult> RemoveRoleAsync(string userName, string role, string actor, CancellationToken cancellationToken) =>
        ChangeUserAsync(userName, actor, AuditEventTypes.RoleRemoved, async (connection, transaction, before) =>
        {
            var sql = $"""
                DELETE FROM user_roles WHERE user_name = @UserName AND role_name = @Role {database.Dialect.IgnoreCase}
                """;
            var removed = await connection.ExecuteAsync(new CommandDefinition(sql, new { UserName = userName, Role = role }, transaction, cancellationToken: cancellationToken));
            return removed == 0 ? null : $"roles={string.Join(',', before.Roles.Where(r => !r.Equals(role, StringComparison.OrdinalIgnoreCase)))}";
        }, cancellationToken);

    /// <summary>Grants (or, with <paramref name="grant"/> false, revokes) a permission to a role; not to a role the actor holds.</summary>
    public async Task<AccessResult> ChangeRoleAsync(string role, Permission permission, bool grant, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var type = grant ? AuditEventTypes.RolePermissionGranted : AuditEventTypes.RolePermissionRevoked;
        return await database.AuditedAsync<AccessResult>(async (connection, transaction) =>
        {
            if (!await RoleExistsAsync(connection, transaction, role, cancellationToken))
            {
                return (AccessResult.NotFound($"no role {role}"), [], false);
            }
            var holds = $"""
                SELECT COUNT(*) FROM user_roles WHERE user_name = @Actor AND role_name = @Role {database.Dialect.IgnoreCase}
                """;
            if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(holds, new { Actor = actor, Role = role }, transaction, cancellationToken: cancellationToken)) > 0)
            {
                return (AccessResult.Refused($"{actor} holds role {role} and may not change what it grants"),
                    [new AuditEvent(now, AuditEventTypes.UnauthorizedModificationAttempt, actor, AuditOutcome.Failure, $"role:{role}",
                        $"function={type}; permission={permission}; refused: changing a role one holds changes one's own permissions")], false);
            }
            var services = $"""
                SELECT ur.user_name FROM user_roles ur JOIN users u ON u.user_name = ur.user_name
                WHERE ur.role_name = @Role {database.Dialect.IgnoreCase} AND u.kind = 'Service' ORDER BY ur.user_name
                """;
            if (grant && !ServiceAccounts.MayHold(UserKind.Service, permission)
                && (await connection.QueryAsync<string>(new CommandDefinition(services, new { Role = role }, transaction, cancellationToken: cancellationToken))).ToArray() is [_, ..] holders)
            {
                return (AccessResult.Refused($"service accounts hold role {role} ({string.Join(", ", holders)}) and may not hold {permission}"),
                    [new AuditEvent(now, AuditEventTypes.UnauthorizedModificationAttempt, actor, AuditOutcome.Failure, $"role:{role}",
                        $"function={type}; permission={permission}; refused: service accounts {string.Join(",", holders)} hold the role")], false);
            }
            var before = await RolePermissionsAsync(connection, transaction, role, cancellationToken);
            var sql = grant
                ? $"""
                  INSERT INTO role_permissions (role_name, permission) VALUES ((SELECT role_name FROM roles WHERE role_name = @Role), @Permission) {database.Dialect.IgnoreDuplicateKey}
                  """
                : $"""
                  DELETE FROM role_permissions WHERE role_name = @Role {database.Dialect.IgnoreCase} AND permission = @Permission
                  """;
            var changed = await connection.ExecuteAsync(new CommandDefinition(sql, new { Role = role, Permission = permission.ToString() }, transaction, cancellationToken: cancellationToken));
            if (changed == 0)
            {
                return (AccessResult.Unchanged, [], false);
            }
            var after = await RolePermissionsAsync(connection, transaction, role, cancellationToken);
            return (AccessResult.Changed,
                [new AuditEvent(now, type, actor, AuditOutcome.Success, $"role:{role}",
                    $"before: permissions={string.Join(',', before)}; after: permissions={string.Join(',', after)}")], true);
        }, cancellationToken);
    }

    internal static async Task<IReadOnlySet<Permission>> PermissionsAsync(
        DbConnection connection, DbTransaction? transaction, string userName, CancellationToken cancellationToken, bool whateverStatus = false)
    {
        var dialect = Database.DialectOf(connection);
        string Key(string table, string row) => CoveredTables.Find(table)!.KeyExpression(row, dialect.ExactText);
        var sql = $"""
            SELECT 'user_permissions' AS source, {Key("user_permissions", "p")} AS row_key, NULL AS role_key, NULL AS map_key, p.permission, u.kind, u.user_name
            FROM user_permissions p JOIN users u ON u.user_name = p.user_name
            WHERE p.user_name = @UserName AND (u.status = 'Active' OR @Any = 1)
            UNION ALL
            SELECT 'user_roles', {Key("user_roles", "ur")}, {Key("role_permissions", "rp")}, NULL, rp.permission, u.kind, u.user_name
            FROM user_roles ur
            JOIN role_permissions rp ON rp.role_name = ur.role_name {dialect.IgnoreCase}
            JOIN users u ON u.user_name = ur.user_name
            WHERE ur.user_name = @UserName AND (u.status = 'Active' OR @Any = 1)
            UNION ALL
            SELECT 'federated_claims', {Key("federated_claims", "fc")}, {Key("role_permissions", "rp")}, {Key("claim_role_mappings", "m")}, rp.permission, u.kind, u.user_name
            FROM federated_claims fc
            JOIN claim_role_mappings m ON m.claim_value = fc.claim_value {dialect.ExactText}
            JOIN role_permissions rp ON rp.role_name = m.role_name {dialect.IgnoreCase}
            JOIN users u ON u.user_name = fc.user_name
            WHERE fc.user_name = @UserName AND (u.status = 'Active' OR @Any = 1) AND u.kind = 'Federated'
            """;
        var rows = (await connection.QueryAsync<(string Source, string RowKey, string? RoleKey, string? MapKey, string Permission, string Kind, string UserName)>(
            new CommandDefinition(sql, new { UserName = userName, Any = whateverStatus ? 1 : 0 }, transaction, cancellationToken: cancellationToken))).ToList();
        var permissions = new HashSet<Permission>();
        if (rows.Count == 0 || !await CoverageCheck.IsCoveredAsync(connection, transaction, CoveredTables.Find("users")!, rows[0].UserName, cancellationToken))
        {
            return permissions;
        }
        foreach (var row in rows)
        {
            // 1311.215(a)(2): a grant the audit chain does not hold (a row planted in the file) grants nothing.
            if (!await CoverageCheck.IsCoveredAsync(connection, transaction, CoveredTables.Find(row.Source)!, row.RowKey, cancellationToken)
                || (row.RoleKey is { } roleKey && !await CoverageCheck.IsCoveredAsync(connection, transaction, CoveredTables.Find("role_permissions")!, roleKey, cancellationToken))
                || (row.MapKey is { } mapKey && !await CoverageCheck.IsCoveredAsync(connection, transaction, CoveredTables.Find("claim_role_mappings")!, mapKey, cancellationToken)))
            {
                continue;
            }
            // Defence in depth: whatever a row says, a service account does not hold a forbidden permission.
            if (ExactName.TryParse<Permission>(row.Permission, out var p) && ExactName.TryParse<UserKind>(row.Kind, out var kind) && ServiceAccounts.MayHold(kind, p))
            {
                permissions.Add(p);
            }
        }
        return permissions;
    }

    private Task<AccessResult> ChangeUserAsync(
        string userName, string actor, string type, Func<DbConnection, DbTransaction, UserView, Task<string?>> change,
        CancellationToken cancellationToken) =>
        ChangeUserAsync(userName, actor, type, "", (_, _, _) => Task.FromResult<string?>(null), change, cancellationToken);

    /// <summary>
    /// Changes a user in one audited transaction: refused (and audited as an unauthorized modification attempt,
    /// 1311.215(a)(2)) for oneself or when <paramref name="refusal"/> names a reason; otherwise before and after are audited.
    /// </summary>
    private async Task<AccessResult> ChangeUserAsync(
        string userName, string actor, string type, string what, Func<DbConnection, DbTransaction, UserView, Task<string?>> refusal,
        Func<DbConnection, DbTransaction, UserView, Task<string?>> change, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (string.Equals(userName, actor, StringComparison.OrdinalIgnoreCase))
        {
            await database.AuditedAsync<bool>(async (_, _) => await Task.FromResult<(bool, IReadOnlyList<AuditEvent>, bool)>((true,
                [new AuditEvent(now, AuditEventTypes.UnauthorizedModificationAttempt, actor, AuditOutcome.Failure, userName,
                    $"function={type}; refused: nobody changes their own access")], true)), cancellationToken);
            return AccessResult.Refused("nobody changes their own access (1311.205(b)(2)); ask another administrator");
        }
        return await database.AuditedAsync<AccessResult>(async (connection, transaction) =>
        {
            if (await UserAsync(connection, transaction, userName, cancellationToken) is not { } before)
            {
                return (AccessResult.NotFound($"no user {userName}"), [], false);
            }
            if (await refusal(connection, transaction, before) is { } refused)
            {
                return (AccessResult.Refused(refused),
                    [new AuditEvent(now, AuditEventTypes.UnauthorizedModificationAttempt, actor, AuditOutcome.Failure, before.UserName,
                        $"function={type}; {what}; refused: {refused}")], true);
            }
            if (await change(connection, transaction, before) is not { } after)
            {
                return (AccessResult.Unchanged, [], false);
            }
            return (AccessResult.Changed,
                [new AuditEvent(now, type, actor, AuditOutcome.Success, before.UserName,
                    $"before: status={before.Status}; roles={string.Join(',', before.Roles)}; permissions={string.Join(',', before.Permissions)}; after: {after}")],
                true);
        }, cancellationToken);
    }

    private static async Task<UserView?> UserAsync(DbConnection connection, DbTransaction transaction, string userName, CancellationToken cancellationToken)
    {
        var sql = $"""
            {SelectUsers(Database.DialectOf(connection))}
            FROM users u WHERE u.user_name = @UserName
            """;
        var row = await connection.QuerySingleOrDefaultAsync<(string UserName, string FullName, string Initials, string Status, string Kind, string? Roles, string? Permissions)?>(
            new CommandDefinition(sql, new { UserName = userName }, transaction, cancellationToken: cancellationToken));
        return row is { } r ? new UserView(r.UserName, r.FullName, r.Initials, r.Status, r.Kind, Split(r.Roles), Split(r.Permissions)) : null;
    }

    private static async Task<bool> RoleExistsAsync(DbConnection connection, DbTransaction? transaction, string role, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT COUNT(*) FROM roles WHERE role_name = @Role
            """;
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { Role = role }, transaction, cancellationToken: cancellationToken)) > 0;
    }

    private static async Task<string[]> RolePermissionsAsync(DbConnection connection, DbTransaction transaction, string role, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT permission FROM role_permissions WHERE role_name = @Role {Database.DialectOf(connection).IgnoreCase} ORDER BY permission
            """;
        return (await connection.QueryAsync<string>(new CommandDefinition(sql, new { Role = role }, transaction, cancellationToken: cancellationToken))).ToArray();
    }

    // A user with the roles and permissions granted by name, each list comma-joined in order.
    private static string SelectUsers(ISqlDialect dialect) => $"""
        SELECT u.user_name, u.full_name, u.initials, u.status, u.kind,
               (SELECT {dialect.JoinSorted("role_name")} FROM user_roles r WHERE r.user_name = u.user_name) AS roles,
               (SELECT {dialect.JoinSorted("permission")} FROM user_permissions p WHERE p.user_name = u.user_name) AS permissions
        """;

    private static bool IsService(UserView user) => user.Kind == nameof(UserKind.Service);

    private static string[] Split(string? list) => string.IsNullOrEmpty(list) ? [] : list.Split(',');
}
