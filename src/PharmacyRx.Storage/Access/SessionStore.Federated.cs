using System.Data.Common;
using Dapper;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Integrity;

namespace PharmacyRx.Storage.Access;

public sealed partial class SessionStore
{
    /// <summary>Who signs in through the identity provider, from its validated id_token: issuer, subject, display name, group or app-role values.</summary>
    public sealed record FederatedPerson(string Issuer, string Subject, string DisplayName, string ClaimType, IReadOnlyList<string> ClaimValues);

    /// <summary>The user that stands for the system when it creates a federated person's account at their first sign-in.</summary>
    public const string FederatedProvisioner = "system:identity-provider";

    // Never a valid hash (PasswordHasher.Verify refuses it): a federated person has no password here.
    private const string NoPassword = "!identity-provider";

    /// <summary>
    /// Opens a session for a person the identity provider vouched for (their id_token already validated: signature,
    /// issuer, audience, nonce), the same kind of session a password opens, so idle and absolute expiry and sign-out
    /// everywhere apply alike. Refused, and audited as a failed sign-in (1311.215(a)(1)), when none of their values is
    /// mapped to a role, when their account here is disabled, or when the name <c>subject@issuer</c> is bound to another
    /// identity. Their first sign-in creates their account (kind Federated, audited); each sign-in records the values they
    /// presented, which give roles through <see cref="ClaimRoleMappings"/> until the next.
    /// </summary>
    public async Task<LoginResult> LoginFederatedAsync(FederatedPerson person, CancellationToken cancellationToken, ClientAddress? from = null)
    {
        from ??= ClientAddress.Unknown;
        var now = time.GetUtcNow();
        var userName = FederatedIdentity.UserName(person.Issuer, person.Subject);
        var actor = TextLimits.ForAudit(userName, FederatedIdentity.UserNameLength);
        var displayName = new string([.. person.DisplayName.Where(c => !char.IsControl(c))]).Trim();
        displayName = displayName.Length is 0 or > TextLimits.Text ? userName : displayName;
        var values = person.ClaimValues.Where(v => v.Length is > 0 and <= FederatedIdentity.ClaimValue).Distinct(StringComparer.Ordinal).ToArray();
        var who = $"issuer={person.Issuer}; subject={person.Subject}; name={displayName}; from {from.Address}";
        var problem = FederatedIdentity.Problem(person.Issuer, person.Subject)
            ?? (person.ClaimValues.Count > FederatedIdentity.ClaimValues ? $"{person.ClaimValues.Count} {person.ClaimType} values, more than {FederatedIdentity.ClaimValues}" : null);
        if (problem is not null)
        {
            await AuditAsync(now, AuditEventTypes.LoginFailed, actor, AuditOutcome.Failure, $"identity provider sign-in refused: {problem}; {who}", cancellationToken);
            return new LoginResult(LoginOutcome.Failed, null, null);
        }
        return await database.AuditedAsync<LoginResult>(async (connection, transaction) =>
        {
            LoginResult Refused(string why, out IReadOnlyList<AuditEvent> events)
            {
                events = [new AuditEvent(now, AuditEventTypes.LoginFailed, actor, AuditOutcome.Failure, actor, $"identity provider sign-in refused: {why}; {who}")];
                return new LoginResult(LoginOutcome.Failed, null, null);
            }
            var existing = await FederatedAccountAsync(connection, transaction, userName, cancellationToken);
            if (existing is { Bound: false })
            {
                // 1311.205(b)(1): a name is one person. Another identity (a subject differing only in case, a row planted in the
                // file, an account that is not federated) is never taken over.
                return (Refused($"the user name {userName} is bound to another identity or was not written by the service", out var e), e, true);
            }
            if (existing is { Active: false })
            {
                return (Refused("the account is disabled here", out var e), e, true);
            }
            var mapped = await MappedRolesAsync(connection, transaction, values, cancellationToken);
            if (mapped.Count == 0)
            {
                // Nothing the pharmacy maps: no account, no session. The values are the provider's group or role ids, not names.
                return (Refused($"none of the {values.Length} {person.ClaimType} values the provider sent is mapped to a PharmacyRx role", out var e), e, true);
            }
            var events = new List<AuditEvent>();
            var at = ReceiptSeal.FormatTimestamp(now);
            if (existing is null)
            {
                const string user = """
                    INSERT INTO users (user_name, full_name, initials, status, password_hash, created_at, kind, created_by, password_change_required)
                    VALUES (@UserName, @FullName, @Initials, 'Active', @NoPassword, @Now, 'Federated', @By, 0)
                    """;
                const string identity = """
                    INSERT INTO federated_identities (user_name, issuer, subject, created_at) VALUES (@UserName, @Issuer, @Subject, @Now)
                    """;
                var row = new
                {
                    UserName = userName, FullName = displayName, Initials = FederatedIdentity.Initials(displayName), NoPassword, Now = at, By = FederatedProvisioner,
                    person.Issuer, person.Subject,
                };
                await connection.ExecuteAsync(new CommandDefinition(user, row, transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(identity, row, transaction, cancellationToken: cancellationToken));
                events.Add(new AuditEvent(now, AuditEventTypes.UserCreated, FederatedProvisioner, AuditOutcome.Success, userName,
                    $"before: none; after: status=Active; kind=Federated; issuer={person.Issuer}; subject={person.Subject}; name={displayName}; roles through {person.ClaimType}"));
            }
            else if (existing.FullName != displayName)
            {
                const string rename = """
                    UPDATE users SET full_name = @FullName, initials = @Initials WHERE user_name = @UserName
                    """;
                await connection.ExecuteAsync(new CommandDefinition(rename,
                    new { UserName = userName, FullName = displayName, Initials = FederatedIdentity.Initials(displayName) }, transaction, cancellationToken: cancellationToken));
            }
            await ReplaceClaimsAsync(connection, transaction, userName, values, cancellationToken);
            var token = await OpenSessionAsync(connection, transaction, userName, changeOnly: false, now, cancellationToken);
            events.Add(new AuditEvent(now, AuditEventTypes.LoginSucceeded, userName, AuditOutcome.Success, userName,
                $"session opened through the identity provider; {who}; roles={string.Join(',', mapped)} through {person.ClaimType}"));
            return (new LoginResult(LoginOutcome.Succeeded, token, null, false, userName), events, true);
        }, cancellationToken);
    }

    private sealed record FederatedAccount(bool Bound, bool Active, string FullName);

    /// <summary>The account of a federated name, or null when there is none; <c>Bound</c> only when it is this very identity, as the service wrote it.</summary>
    private static async Task<FederatedAccount?> FederatedAccountAsync(DbConnection connection, DbTransaction transaction, string userName, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT u.user_name, u.status, u.kind, u.full_name, f.issuer, f.subject
            FROM users u LEFT JOIN federated_identities f ON f.user_name = u.user_name
            WHERE u.user_name = @UserName
            """;
        var row = await connection.QuerySingleOrDefaultAsync<(string UserName, string Status, string Kind, string FullName, string? Issuer, string? Subject)?>(
            new CommandDefinition(sql, new { UserName = userName }, transaction, cancellationToken: cancellationToken));
        if (row is not { } found)
        {
            return null;
        }
        // The name is made from (issuer, subject), so the bound identity must give that very name back, byte for byte.
        var bound = found.Kind == nameof(UserKind.Federated)
            && found.Issuer is { } issuer && found.Subject is { } subject
            && string.Equals(FederatedIdentity.UserName(issuer, subject), userName, StringComparison.Ordinal)
            && string.Equals(found.UserName, userName, StringComparison.Ordinal)
            // 1311.215(a)(2): an account or binding planted in the file is no account.
            && await CoverageCheck.IsCoveredAsync(connection, transaction, CoveredTables.Find("users")!, found.UserName, cancellationToken)
            && await CoverageCheck.IsCoveredAsync(connection, transaction, CoveredTables.Find("federated_identities")!, found.UserName, cancellationToken);
        return new FederatedAccount(bound, found.Status == "Active", found.FullName);
    }

    /// <summary>The roles the values give, each through a mapping the audit chain holds.</summary>
    private static async Task<IReadOnlyList<string>> MappedRolesAsync(DbConnection connection, DbTransaction transaction, string[] values,
        CancellationToken cancellationToken)
    {
        if (values.Length == 0)
        {
            return [];
        }
        var dialect = Database.DialectOf(connection);
        var sql = $"""
            SELECT {CoveredTables.Find("claim_role_mappings")!.KeyExpression("m", dialect.ExactText)} AS row_key, m.claim_value, m.role_name FROM claim_role_mappings m
            """;
        var wanted = values.ToHashSet(StringComparer.Ordinal);
        var roles = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var mapping in await connection.QueryAsync<(string RowKey, string ClaimValue, string RoleName)>(new CommandDefinition(sql, transaction: transaction,
            cancellationToken: cancellationToken)))
        {
            if (wanted.Contains(mapping.ClaimValue)
                && await CoverageCheck.IsCoveredAsync(connection, transaction, CoveredTables.Find("claim_role_mappings")!, mapping.RowKey, cancellationToken))
            {
                roles.Add(mapping.RoleName);
            }
        }
        return [.. roles];
    }

    /// <summary>The values the person presented this time replace those of their last sign-in.</summary>
    private static async Task ReplaceClaimsAsync(DbConnection connection, DbTransaction transaction, string userName, IReadOnlyList<string> values,
        CancellationToken cancellationToken)
    {
        const string held = """
            SELECT claim_value FROM federated_claims WHERE user_name = @UserName
            """;
        var before = (await connection.QueryAsync<string>(new CommandDefinition(held, new { UserName = userName }, transaction, cancellationToken: cancellationToken)))
            .ToHashSet(StringComparer.Ordinal);
        const string remove = """
            DELETE FROM federated_claims WHERE user_name = @UserName AND claim_value = @Value
            """;
        const string add = """
            INSERT INTO federated_claims (user_name, claim_value) VALUES (@UserName, @Value)
            """;
        await connection.ExecuteAsync(new CommandDefinition(remove, before.Where(v => !values.Contains(v, StringComparer.Ordinal)).Select(v => new { UserName = userName, Value = v }),
            transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(add, values.Where(v => !before.Contains(v)).Select(v => new { UserName = userName, Value = v }),
            transaction, cancellationToken: cancellationToken));
    }
}
