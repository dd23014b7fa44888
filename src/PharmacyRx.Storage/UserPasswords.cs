using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Storage;

/// <summary>Sets a user's own password hash (the hash only ever arrives here); audited without the hash.</summary>
public sealed class UserPasswords(Database database, TimeProvider time)
{
    /// <summary>
    /// Changes the signed-in user's password: a one-time password is spent, the session that changed it becomes a normal
    /// one and every other session of the user ends (whoever else knew the old password is signed out).
    /// </summary>
    public async Task<bool> ChangeOwnAsync(string userName, string passwordHash, string sessionToken, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await database.AuditedAsync<bool>(async (connection, transaction) =>
        {
            const string sql = """
                UPDATE users SET password_hash = @Hash, password_change_required = 0 WHERE user_name = @UserName
                """;
            var changed = await connection.ExecuteAsync(new CommandDefinition(sql,
                new { UserName = userName, Hash = passwordHash },
                transaction, cancellationToken: cancellationToken));
            if (changed > 0)
            {
                var session = SessionStore.Hash(sessionToken);
                await SessionStore.ClearPasswordChangeOnlyAsync(connection, transaction, session, cancellationToken);
                await SessionStore.EndAllAsync(connection, transaction, userName, now, session, cancellationToken);
            }
            return changed == 0
                ? (false, [], false)
                : (true, [new AuditEvent(now, AuditEventTypes.PasswordChanged, userName, AuditOutcome.Success, userName, "password changed; other sessions ended")], true);
        }, cancellationToken);
    }
}
