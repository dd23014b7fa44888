using Dapper;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Access;

/// <summary>Users and their roles (1311.205(b)(1)-(2)). Each change is audited in the same transaction.</summary>
public sealed class UserStore(Database database, TimeProvider time)
{
    /// <summary>A user as created; <see cref="PasswordHash"/> from <see cref="Core.Access.PasswordHasher"/>.</summary>
    public sealed record NewUser(string UserName, string FullName, string Initials, string PasswordHash, IReadOnlyList<string> Roles, UserKind Kind = UserKind.Person);

    /// <summary>
    /// Creates a user whose password is one-time (someone else knows it): the first sign-in may only change it. The
    /// creator is kept, so the daily report can tell a grant to oneself through an account one made. False when the
    /// user name is taken (nothing changes).
    /// </summary>
    public async Task<bool> CreateAsync(NewUser user, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var userSql = $"""
            INSERT INTO users (user_name, full_name, initials, status, password_hash, created_at, kind, created_by, password_change_required)
            VALUES (@UserName, @FullName, @Initials, 'Active', @PasswordHash, @CreatedAt, @Kind, @CreatedBy, 1)
            {database.Dialect.IgnoreDuplicateKey}
            """;
        var created = await connection.ExecuteAsync(new CommandDefinition(
            userSql,
            new { user.UserName, user.FullName, user.Initials, user.PasswordHash, CreatedAt = ReceiptSeal.FormatTimestamp(now), Kind = user.Kind.ToString(), CreatedBy = actor },
            transaction,
            cancellationToken: cancellationToken));
        if (created == 0)
        {
            return false;
        }
        const string roleSql = """
            INSERT INTO user_roles (user_name, role_name) VALUES (@UserName, @RoleName)
            """;
        await connection.ExecuteAsync(new CommandDefinition(
            roleSql, user.Roles.Select(role => new { user.UserName, RoleName = role }), transaction, cancellationToken: cancellationToken));
        // 1311.215(a)(4): access-control changes are auditable events, with before and after.
        await AuditLog.AppendAsync(connection, transaction,
            [new AuditEvent(now, AuditEventTypes.UserCreated, actor, AuditOutcome.Success, user.UserName,
                $"before: none; after: status=Active; kind={user.Kind}; roles={string.Join(',', user.Roles)}; createdBy={actor}")],
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
