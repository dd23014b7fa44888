using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage;

/// <summary>Sets a user's password hash (the hash only ever arrives here); audited without the hash.</summary>
public sealed class UserPasswords(Database database, TimeProvider time)
{
    public async Task<bool> SetAsync(string userName, string passwordHash, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await database.AuditedAsync<bool>(async (connection, transaction) =>
        {
            const string sql = """
                UPDATE users SET password_hash = @Hash WHERE user_name = @UserName
                """;
            var changed = await connection.ExecuteAsync(new CommandDefinition(sql, new { UserName = userName, Hash = passwordHash }, transaction, cancellationToken: cancellationToken));
            return changed == 0
                ? (false, [], false)
                : (true, [new AuditEvent(now, AuditEventTypes.PasswordChanged, actor, AuditOutcome.Success, userName, "password changed")], true);
        }, cancellationToken);
    }
}
