using System.Security.Cryptography;
using System.Text;
using Dapper;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage.Access;

/// <summary>
/// Logins, sessions and API keys. A session token or API key is 256 random bits shown once; only its SHA-256 is
/// stored. Sessions end after 15 minutes idle or 12 hours in all, or at logout. Failed logins back off
/// (<see cref="LoginThrottle"/>) without ever locking an account for good. Each login, failure and throttle is audited.
/// </summary>
public sealed class SessionStore(Database database, TimeProvider time)
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan AbsoluteTimeout = TimeSpan.FromHours(12);

    // Last-seen is written at most this often, so reading the API is not a write per request.
    private static readonly TimeSpan TouchInterval = TimeSpan.FromSeconds(30);

    // Verified when the user does not exist, so a wrong user name costs the same time as a wrong password.
    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash("not-a-user-password-0000"));

    /// <summary>The outcome of a login.</summary>
    public sealed record LoginResult(LoginOutcome Outcome, string? Token, DateTimeOffset? RetryAfter);

    /// <summary>Checks a user's password and opens a session; a value for every outcome.</summary>
    public async Task<LoginResult> LoginAsync(string userName, string password, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            const string throttled = """
                SELECT locked_until FROM login_failures WHERE user_name = @UserName
                """;
            var lockedUntil = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(throttled, new { UserName = userName }, cancellationToken: cancellationToken));
            if (lockedUntil is not null && ReceiptSeal.ParseTimestamp(lockedUntil) is var until && until > now)
            {
                // No password check while throttled: the back-off also spares the slow hash.
                await AuditAsync(now, AuditEventTypes.LoginThrottled, userName, AuditOutcome.Failure, $"throttled until {lockedUntil}", cancellationToken);
                return new LoginResult(LoginOutcome.Throttled, null, until);
            }
        }

        var credentials = await new AccessStore(database, time).CredentialsAsync(userName, cancellationToken);
        var passwordHolds = PasswordHasher.Verify(password, credentials?.PasswordHash ?? DummyHash.Value) && credentials is not null;
        if (!passwordHolds || credentials!.Status != "Active")
        {
            return await FailAsync(userName, now, credentials is null ? "unknown user or wrong password" : passwordHolds ? "user disabled" : "wrong password",
                passwordHolds ? LoginOutcome.Disabled : LoginOutcome.Failed, cancellationToken);
        }

        var token = NewSecret("prs_");
        return await database.AuditedAsync<LoginResult>(async (connection, transaction) =>
        {
            const string sql = """
                DELETE FROM login_failures WHERE user_name = @UserName;
                INSERT INTO sessions (token_sha256, user_name, created_at, last_seen_at) VALUES (@Hash, @UserName, @Now, @Now)
                """;
            await connection.ExecuteAsync(new CommandDefinition(sql,
                new { UserName = credentials.UserName, Hash = Hash(token), Now = ReceiptSeal.FormatTimestamp(now) }, transaction, cancellationToken: cancellationToken));
            return (new LoginResult(LoginOutcome.Succeeded, token, null),
                [new AuditEvent(now, AuditEventTypes.LoginSucceeded, credentials.UserName, AuditOutcome.Success, credentials.UserName, "session opened")], true);
        }, cancellationToken);
    }

    /// <summary>The user a session token or API key belongs to, or null when it is unknown, ended, expired or revoked.</summary>
    public async Task<string?> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var hash = Hash(secret);
        await using var connection = await database.OpenAsync(cancellationToken);
        if (secret.StartsWith("prk_", StringComparison.Ordinal))
        {
            const string key = """
                SELECT k.user_name FROM api_keys k JOIN users u ON u.user_name = k.user_name
                WHERE k.key_sha256 = @Hash AND k.revoked_at IS NULL AND u.status = 'Active'
                """;
            return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(key, new { Hash = hash }, cancellationToken: cancellationToken));
        }
        const string find = """
            SELECT s.user_name, s.created_at, s.last_seen_at FROM sessions s JOIN users u ON u.user_name = s.user_name
            WHERE s.token_sha256 = @Hash AND s.ended_at IS NULL AND u.status = 'Active'
            """;
        var session = await connection.QuerySingleOrDefaultAsync<(string UserName, string CreatedAt, string LastSeenAt)?>(
            new CommandDefinition(find, new { Hash = hash }, cancellationToken: cancellationToken));
        if (session is not { } open)
        {
            return null;
        }
        var lastSeen = ReceiptSeal.ParseTimestamp(open.LastSeenAt);
        if (now - lastSeen > IdleTimeout || now - ReceiptSeal.ParseTimestamp(open.CreatedAt) > AbsoluteTimeout)
        {
            const string expire = """
                UPDATE sessions SET ended_at = @Now WHERE token_sha256 = @Hash
                """;
            await connection.ExecuteAsync(new CommandDefinition(expire, new { Hash = hash, Now = ReceiptSeal.FormatTimestamp(now) }, cancellationToken: cancellationToken));
            return null;
        }
        if (now - lastSeen > TouchInterval)
        {
            const string touch = """
                UPDATE sessions SET last_seen_at = @Now WHERE token_sha256 = @Hash
                """;
            await connection.ExecuteAsync(new CommandDefinition(touch, new { Hash = hash, Now = ReceiptSeal.FormatTimestamp(now) }, cancellationToken: cancellationToken));
        }
        return open.UserName;
    }

    /// <summary>Ends a session (logout); false when it was not open.</summary>
    public async Task<bool> LogoutAsync(string token, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await database.AuditedAsync<bool>(async (connection, transaction) =>
        {
            const string sql = """
                UPDATE sessions SET ended_at = @Now WHERE token_sha256 = @Hash AND ended_at IS NULL RETURNING user_name
                """;
            var user = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(sql,
                new { Hash = Hash(token), Now = ReceiptSeal.FormatTimestamp(now) }, transaction, cancellationToken: cancellationToken));
            return user is null
                ? (false, [], false)
                : (true, [new AuditEvent(now, AuditEventTypes.LoggedOut, user, AuditOutcome.Success, user, "session ended by logout")], true);
        }, cancellationToken);
    }

    /// <summary>Creates an API key for a (service) user; the key is returned once and stored only as its hash.</summary>
    public async Task<string?> CreateApiKeyAsync(string userName, string label, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var key = NewSecret("prk_");
        return await database.AuditedAsync<string?>(async (connection, transaction) =>
        {
            const string sql = """
                INSERT INTO api_keys (key_sha256, user_name, label, created_at)
                SELECT @Hash, user_name, @Label, @Now FROM users WHERE user_name = @UserName AND status = 'Active'
                """;
            var created = await connection.ExecuteAsync(new CommandDefinition(sql,
                new { Hash = Hash(key), UserName = userName, Label = label, Now = ReceiptSeal.FormatTimestamp(now) }, transaction, cancellationToken: cancellationToken));
            return created == 0
                ? (null, [], false)
                : (key, [new AuditEvent(now, AuditEventTypes.ApiKeyCreated, actor, AuditOutcome.Success, userName,
                    $"before: -; after: API key '{label}' ({Hash(key)[..12]}…)")], true);
        }, cancellationToken);
    }

    private async Task<LoginResult> FailAsync(string userName, DateTimeOffset now, string why, LoginOutcome outcome, CancellationToken cancellationToken) =>
        await database.AuditedAsync<LoginResult>(async (connection, transaction) =>
        {
            const string count = """
                INSERT INTO login_failures (user_name, failures) VALUES (@UserName, 1)
                ON CONFLICT (user_name) DO UPDATE SET failures = failures + 1
                RETURNING failures
                """;
            var failures = await connection.ExecuteScalarAsync<int>(new CommandDefinition(count, new { UserName = userName }, transaction, cancellationToken: cancellationToken));
            var wait = LoginThrottle.WaitAfter(failures);
            DateTimeOffset? until = wait > TimeSpan.Zero ? now + wait : null;
            if (until is { } lockUntil)
            {
                const string throttle = """
                    UPDATE login_failures SET locked_until = @Until WHERE user_name = @UserName
                    """;
                await connection.ExecuteAsync(new CommandDefinition(throttle,
                    new { UserName = userName, Until = ReceiptSeal.FormatTimestamp(lockUntil) }, transaction, cancellationToken: cancellationToken));
            }
            return (new LoginResult(until is null ? outcome : LoginOutcome.Throttled, null, until),
                [new AuditEvent(now, AuditEventTypes.LoginFailed, userName, AuditOutcome.Failure, userName,
                    $"{why}; consecutive failures={failures}" + (until is { } u ? $"; throttled until {ReceiptSeal.FormatTimestamp(u)}" : ""))], true);
        }, cancellationToken);

    private Task AuditAsync(DateTimeOffset now, string type, string userName, AuditOutcome outcome, string details, CancellationToken cancellationToken) =>
        new Audit.AuditLog(database).AppendAsync([new AuditEvent(now, type, userName, outcome, userName, details)], cancellationToken);

    private static string NewSecret(string prefix) => prefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
