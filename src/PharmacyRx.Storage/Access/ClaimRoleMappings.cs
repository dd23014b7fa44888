using Dapper;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Access;

/// <summary>
/// Which role each identity-provider group or app-role value gives (1311.205(b)(1)-(2)), matched byte for byte (a
/// group's id, never its name); changes audited with before and after (1311.215(a)(4)). Mapping a value one presents
/// oneself is refused, audited (1311.215(a)(2)); a guarded grant awaits a second person (<see cref="TwoPersonRule"/>).
/// </summary>
public sealed class ClaimRoleMappings(Database database, TimeProvider time)
{
    /// <summary>One mapping: the claim value, the role it gives, and who made it when.</summary>
    public sealed record Mapping(string ClaimValue, string RoleName, string CreatedAt, string CreatedBy);

    public async Task<IReadOnlyList<Mapping>> ListAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT claim_value, role_name, created_at, created_by FROM claim_role_mappings ORDER BY claim_value, role_name
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Mapping>(new CommandDefinition(sql, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Why a claim value cannot be mapped, or null when it can.</summary>
    public static string? Problem(string claimValue) =>
        claimValue.Length is 0 or > FederatedIdentity.ClaimValue || claimValue.Any(char.IsControl) || claimValue.Trim() != claimValue
            ? $"a claim value is 1 to {FederatedIdentity.ClaimValue} characters, without control characters or spaces at either end"
            : null;

    /// <summary>Maps a claim value to a role. Refused for a value the actor presents; unchanged when it is mapped already.</summary>
    public async Task<AccessResult> AddAsync(string claimValue, string role, string actor, CancellationToken cancellationToken)
    {
        if (Problem(claimValue) is { } problem)
        {
            return AccessResult.Invalid(problem);
        }
        var now = time.GetUtcNow();
        return await database.AuditedAsync<AccessResult>(async (connection, transaction) =>
        {
            const string roleSql = """
                SELECT role_name FROM roles WHERE role_name = @Role
                """;
            if (await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(roleSql, new { Role = role }, transaction, cancellationToken: cancellationToken))
                is not { } roleName)
            {
                return (AccessResult.NotFound($"no role {role}"), [], false);
            }
            if (await PresentedByAsync(connection, transaction, actor, claimValue, cancellationToken))
            {
                return (AccessResult.Refused($"{actor} presents {claimValue} and may not map it: that would change their own access"),
                    [new AuditEvent(now, AuditEventTypes.UnauthorizedModificationAttempt, actor, AuditOutcome.Failure, Target(claimValue),
                        $"function={AuditEventTypes.ClaimMappingAdded}; role={roleName}; refused: the actor presents this claim value")], true);
            }
            var before = await RolesOfAsync(connection, transaction, claimValue, cancellationToken);
            var sql = $"""
                INSERT INTO claim_role_mappings (claim_value, role_name, created_at, created_by)
                VALUES (@Value, @Role, @Now, @Actor) {database.Dialect.IgnoreDuplicateKey}
                """;
            var added = await connection.ExecuteAsync(new CommandDefinition(sql,
                new { Value = claimValue, Role = roleName, Now = ReceiptSeal.FormatTimestamp(now), Actor = actor }, transaction, cancellationToken: cancellationToken));
            if (added == 0)
            {
                return (AccessResult.Unchanged, [], false);
            }
            return (AccessResult.Changed,
                [new AuditEvent(now, AuditEventTypes.ClaimMappingAdded, actor, AuditOutcome.Success, Target(claimValue),
                    $"before: roles={string.Join(',', before)}; after: roles={string.Join(',', before.Append(roleName).Order(StringComparer.OrdinalIgnoreCase))}")], true);
        }, cancellationToken);
    }

    /// <summary>Removes a mapping: everyone who held the role through it loses it at their next request.</summary>
    public async Task<AccessResult> RemoveAsync(string claimValue, string role, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await database.AuditedAsync<AccessResult>(async (connection, transaction) =>
        {
            var before = await RolesOfAsync(connection, transaction, claimValue, cancellationToken);
            var sql = $"""
                DELETE FROM claim_role_mappings WHERE claim_value = @Value AND role_name = @Role {database.Dialect.IgnoreCase}
                """;
            var removed = await connection.ExecuteAsync(new CommandDefinition(sql, new { Value = claimValue, Role = role }, transaction, cancellationToken: cancellationToken));
            if (removed == 0)
            {
                return (AccessResult.NotFound($"{claimValue} is not mapped to role {role}"), [], false);
            }
            return (AccessResult.Changed,
                [new AuditEvent(now, AuditEventTypes.ClaimMappingRemoved, actor, AuditOutcome.Success, Target(claimValue),
                    $"before: roles={string.Join(',', before)}; after: roles={string.Join(',', before.Where(r => !r.Equals(role, StringComparison.OrdinalIgnoreCase)))}")], true);
        }, cancellationToken);
    }

    /// <summary>Whether a federated user presented the claim value at their last sign-in.</summary>
    public async Task<bool> PresentedByAsync(string userName, string claimValue, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await PresentedByAsync(connection, null, userName, claimValue, cancellationToken);
    }

    /// <summary>The audit target of a mapping change.</summary>
    public static string Target(string claimValue) => $"claim:{claimValue}";

    private static async Task<bool> PresentedByAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, string userName,
        string claimValue, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT COUNT(*) FROM federated_claims WHERE user_name = @UserName AND claim_value = @Value
            """;
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { UserName = userName, Value = claimValue }, transaction,
            cancellationToken: cancellationToken)) > 0;
    }

    private static async Task<string[]> RolesOfAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string claimValue,
        CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT role_name FROM claim_role_mappings WHERE claim_value = @Value ORDER BY role_name
            """;
        return (await connection.QueryAsync<string>(new CommandDefinition(sql, new { Value = claimValue }, transaction, cancellationToken: cancellationToken))).ToArray();
    }
}
