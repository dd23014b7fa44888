using System.Security.Cryptography;
using System.Text;
using System.Data.Common;
using System.Diagnostics.Metrics;
using Dapper;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Integrity;

namespace PharmacyRx.Storage.Access;

/// <summary>
/// Logins, sessions and API keys. A session token or API key is 256 random bits shown once; only its SHA-256 is
/// stored. Sessions end after 15 minutes idle or 12 hours in all, or at logout. Failed logins back off per (account,
/// address) (<see cref="LoginThrottle"/>) without ever locking an account for good; the count and the wait are decided in
/// one write before the password is checked. Each login and failure is audited, and each throttle once per wait; both are
/// counted on the <see cref="Operations.PharmacyMeter"/> when a meter factory is given (outcomes only, never a user name).
/// </summary>
public sealed partial class SessionStore(Database database, TimeProvider time, IMeterFactory? meters = null)
{
    private readonly Counter<long>? _signInFailures = meters?.Create(Operations.PharmacyMeter.Name).CreateCounter<long>(
        "pharmacyrx.signin.failures", "{attempt}", "Password checks refused (sign-in or password change), by outcome: Failed, Disabled, Throttled, TooLong");
    private readonly Counter<long>? _lockouts = meters?.Create(Operations.PharmacyMeter.Name).CreateCounter<long>(
        "pharmacyrx.signin.lockouts", "{lockout}", "Back-offs begun: an (account, address) or an account made to wait after failed sign-ins (audited LoginThrottled)");

    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan AbsoluteTimeout = TimeSpan.FromHours(12);

    // Last-seen is written at most this often, so reading the API is not a write per request.
    private static readonly TimeSpan TouchInterval = TimeSpan.FromSeconds(30);

    // Verified when the user does not exist, so a wrong user name costs the same time as a wrong password.
    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash("not-a-user-password-0000"));

    /// <summary>The outcome of a login; <see cref="PasswordChangeRequired"/> when the session may only change the password.</summary>
    public sealed record LoginResult(LoginOutcome Outcome, string? Token, DateTimeOffset? RetryAfter, bool PasswordChangeRequired = false, string? UserName = null);

    /// <summary>Who a session token or API key belongs to; a session opened with a one-time password may only change it.</summary>
    public sealed record Authenticated(string UserName, bool PasswordChangeOnly);

    /// <summary>A new API key (shown once), or why none was made.</summary>
    public sealed record ApiKeyResult(string? Key, AccessResult Result);

    /// <summary>
    /// Checks a user's password and opens a session; a value for every outcome. The name is normalised
    /// (<see cref="UserNames"/>); an over-long name or password is refused before anything is checked or stored, and
    /// audited with the name shortened.
    /// </summary>
    public async Task<LoginResult> LoginAsync(string userName, string password, CancellationToken cancellationToken, ClientAddress? from = null)
    {
        var now = time.GetUtcNow();
        var check = await CheckPasswordAsync(userName, password, "sign-in", cancellationToken, from);
        if (check.Outcome != LoginOutcome.Succeeded)
        {
            return check;
        }
        var (user, changeOnly) = (check.UserName!, check.PasswordChangeRequired);
        return await database.AuditedAsync<LoginResult>(async (connection, transaction) =>
        {
            var token = await OpenSessionAsync(connection, transaction, user, changeOnly, now, cancellationToken);
            return (new LoginResult(LoginOutcome.Succeeded, token, null, changeOnly),
                [new AuditEvent(now, AuditEventTypes.LoginSucceeded, user, AuditOutcome.Success, user,
                    changeOnly ? "session opened; one-time password: the session may only change it" : "session opened")], true);
        }, cancellationToken);
    }

    /// <summary>Opens a session for a user whose credentials held, in the caller's transaction; returns its token (shown once).</summary>
    private async Task<string> OpenSessionAsync(DbConnection connection, DbTransaction transaction, string user, bool changeOnly, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var token = NewSecret("prs_");
        const string sql = """
            INSERT INTO sessions (token_sha256, user_name, created_at, last_seen_at, password_change_only, mac)
            VALUES (@Hash, @UserName, @Now, @Now, @ChangeOnly, @Mac)
            """;
        var at = ReceiptSeal.FormatTimestamp(now);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { UserName = user, Hash = Hash(token), Now = at, ChangeOnly = changeOnly ? 1 : 0, Mac = SessionMac(Hash(token), user, at, at, null, changeOnly) },
            transaction, cancellationToken: cancellationToken));
        return token;
    }

    /// <summary>
    /// Checks a user's password under the throttle (<see cref="LoginThrottle"/>; sign-in, and the current password of a
    /// password change): one check per (account, address) per wait however many arrive at once, because the check is
    /// reserved, counted and the wait set in one write before the slow hash runs; none while the account is locked by a
    /// spread guessing attack. On success <see cref="LoginResult.UserName"/> is the stored user name and the address's
    /// count is cleared.
    /// </summary>
    public async Task<LoginResult> CheckPasswordAsync(string userName, string password, string purpose, CancellationToken cancellationToken, ClientAddress? from = null)
    {
        from ??= ClientAddress.Unknown;
        var now = time.GetUtcNow();
        if (userName.Length > TextLimits.UserName || password.Length > TextLimits.Password)
        {
            var shortName = TextLimits.ForAudit(userName);
            await AuditAsync(now, AuditEventTypes.LoginFailed, shortName, AuditOutcome.Failure,
                $"{purpose} refused unchecked: user name of {userName.Length} characters, password of {password.Length} (limits {TextLimits.UserName} and {TextLimits.Password})",
                cancellationToken);
            CountFailure(LoginOutcome.TooLong);
            return new LoginResult(LoginOutcome.TooLong, null, null);
        }
        userName = UserNames.Normalize(userName);
        var reservation = await ReserveCheckAsync(userName, from, now, cancellationToken);
        var (failures, until) = (reservation.Failures, reservation.Until);
        if (!reservation.Reserved)
        {
            // No password check while throttled: the back-off also spares the slow hash. Audited once per wait and address
            // (or once per account lock), not per attempt.
            CountFailure(LoginOutcome.Throttled);
            if (reservation.AuditDue)
            {
                _lockouts?.Add(1);
                await AuditAsync(now, AuditEventTypes.LoginThrottled, userName, AuditOutcome.Failure,
                    $"{purpose} from {from.Address} throttled until {ReceiptSeal.FormatTimestamp(until!.Value)}: {reservation.Why}", cancellationToken);
            }
            return new LoginResult(LoginOutcome.Throttled, null, until);
        }

        var credentials = await new AccessStore(database, time).CredentialsAsync(userName, cancellationToken);
        if (credentials is not null)
        {
            // 1311.215(a)(2): a user row (a password hash) planted or edited in the file is no account.
            await using var connection = await database.OpenAsync(cancellationToken);
            if (!await CoverageCheck.IsCoveredAsync(connection, null, CoveredTables.Find("users")!, credentials.UserName, cancellationToken))
            {
                credentials = null;
            }
        }
        var passwordHolds = PasswordHasher.Verify(password, credentials?.PasswordHash ?? DummyHash.Value) && credentials is not null;
        if (!passwordHolds || credentials!.Status != "Active" || credentials.Kind != nameof(UserKind.Person))
        {
            var why = credentials is null ? "unknown user or wrong password"
                : credentials.Kind == nameof(UserKind.Federated) ? "a person of the identity provider signs in through it, never with a password here"
                : !passwordHolds ? "wrong password"
                : credentials.Status != "Active" ? "user disabled"
                : "a service account signs in by API key only";
            await AuditAsync(now, AuditEventTypes.LoginFailed, userName, AuditOutcome.Failure,
                $"{purpose}: {why}; from {from.Address} (group {from.Group}); consecutive failures from it={failures}"
                + (until is { } u ? $"; next check from it after {ReceiptSeal.FormatTimestamp(u)}" : "")
                + (reservation.AccountLockedUntil is { } locked ? $"; account locked until {ReceiptSeal.FormatTimestamp(locked)}: {reservation.Why}" : ""),
                cancellationToken);
            CountFailure(passwordHolds ? LoginOutcome.Disabled : LoginOutcome.Failed);
            return new LoginResult(passwordHolds ? LoginOutcome.Disabled : LoginOutcome.Failed, null, until);
        }
        await ClearFailuresAsync(userName, from, cancellationToken);
        return new LoginResult(LoginOutcome.Succeeded, null, null, credentials.PasswordChangeRequired != 0, credentials.UserName);
    }

    /// <summary>The user a session token or API key belongs to, or null when it is unknown, ended, expired or revoked, or may only change the password.</summary>
    public async Task<string?> AuthenticateAsync(string secret, CancellationToken cancellationToken) =>
        await AuthenticateSessionAsync(secret, cancellationToken) is { PasswordChangeOnly: false } user ? user.UserName : null;

    /// <summary>
    /// Who a session token or API key belongs to, or null when it is unknown, ended, expired or revoked. A request that is
    /// not the user's own doing (the console's queue refreshing itself) passes <paramref name="activity"/> false: it does
    /// not keep an idle session open.
    /// </summary>
    public async Task<Authenticated?> AuthenticateSessionAsync(string secret, CancellationToken cancellationToken, bool activity = true)
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
            // 1311.215(a)(2): a key or user row inserted, un-revoked or re-enabled with plain SQL behind the service's back
            // is not the row the audit chain recorded, and opens nothing.
            return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(key, new { Hash = hash }, cancellationToken: cancellationToken)) is { } owner
                && await CoverageCheck.IsCoveredAsync(connection, null, CoveredTables.Find("api_keys")!, hash, cancellationToken)
                && await CoverageCheck.IsCoveredAsync(connection, null, CoveredTables.Find("users")!, owner, cancellationToken)
                ? new Authenticated(owner, false)
                : null;
        }
        const string find = """
            SELECT s.user_name, s.created_at, s.last_seen_at, s.password_change_only, s.mac FROM sessions s JOIN users u ON u.user_name = s.user_name
            WHERE s.token_sha256 = @Hash AND s.ended_at IS NULL AND u.status = 'Active'
            """;
        var session = await connection.QuerySingleOrDefaultAsync<(string UserName, string CreatedAt, string LastSeenAt, long PasswordChangeOnly, string? Mac)?>(
            new CommandDefinition(find, new { Hash = hash }, cancellationToken: cancellationToken));
        // 1311.215(a)(2): a session row planted or edited in the file (its MAC under the chain key does not hold) opens nothing,
        // nor does a user row the audit chain does not hold.
        if (session is not { } open
            || database.ChainKeys?.RowHolds(open.Mac, SessionPurpose, hash, open.UserName, open.CreatedAt, open.LastSeenAt, null, open.PasswordChangeOnly != 0 ? "1" : "0") != true
            || !await CoverageCheck.IsCoveredAsync(connection, null, CoveredTables.Find("users")!, open.UserName, cancellationToken))
        {
            return null;
        }
        var lastSeen = ReceiptSeal.ParseTimestamp(open.LastSeenAt);
        if (now - lastSeen > IdleTimeout || now - ReceiptSeal.ParseTimestamp(open.CreatedAt) > AbsoluteTimeout)
        {
            await EndAsync(connection, null, hash, open.UserName, open.CreatedAt, open.LastSeenAt, open.PasswordChangeOnly != 0, now, cancellationToken);
            return null;
        }
        if (activity && now - lastSeen > TouchInterval)
        {
            const string touch = """
                UPDATE sessions SET last_seen_at = @Now, mac = @Mac WHERE token_sha256 = @Hash
                """;
            var at = ReceiptSeal.FormatTimestamp(now);
            await connection.ExecuteAsync(new CommandDefinition(touch, new { Hash = hash, Now = at,
                Mac = SessionMac(hash, open.UserName, open.CreatedAt, at, null, open.PasswordChangeOnly != 0) }, cancellationToken: cancellationToken));
        }
        return new Authenticated(open.UserName, open.PasswordChangeOnly != 0);
    }

    /// <summary>
    /// Ends a session (logout), or with <paramref name="everywhere"/> every open session of its user (a browser left
    /// signed in elsewhere); false when it was not open.
    /// </summary>
    public async Task<bool> LogoutAsync(string token, CancellationToken cancellationToken, bool everywhere = false)
    {
        var now = time.GetUtcNow();
        return await database.AuditedAsync<bool>(async (connection, transaction) =>
        {
            const string sql = """
                SELECT token_sha256, user_name, created_at, last_seen_at, password_change_only FROM sessions WHERE token_sha256 = @Hash AND ended_at IS NULL
                """;
            const string others = """
                SELECT token_sha256, user_name, created_at, last_seen_at, password_change_only FROM sessions WHERE user_name = @User AND ended_at IS NULL
                """;
            var found = await connection.QuerySingleOrDefaultAsync<OpenSession>(new CommandDefinition(sql, new { Hash = Hash(token) }, transaction, cancellationToken: cancellationToken));
            var user = found?.UserName;
            var ending = found is null ? []
                : everywhere ? (await connection.QueryAsync<OpenSession>(new CommandDefinition(others, new { User = found.UserName }, transaction, cancellationToken: cancellationToken))).ToList()
                : [found];
            foreach (var session in ending)
            {
                await EndAsync(connection, transaction, session.TokenSha256, session.UserName, session.CreatedAt, session.LastSeenAt, session.PasswordChangeOnly != 0, now,
                    cancellationToken);
            }
            return user is null
                ? (false, [], false)
                : (true, [new AuditEvent(now, AuditEventTypes.LoggedOut, user, AuditOutcome.Success, user,
                    everywhere ? "every session of the user ended by logout" : "session ended by logout")], true);
        }, cancellationToken);
    }

    /// <summary>
    /// Creates an API key for the actor's own account or for a service account, never for another person: with a key
    /// made for someone else an administrator could act as them (1311.205(b)(1)). Such an attempt is
    /// refused and audited as an unauthorized modification attempt (1311.215(a)(2)). The key is returned once and
    /// stored only as its hash.
    /// </summary>
    public async Task<ApiKeyResult> CreateApiKeyAsync(string userName, string label, string actor, CancellationToken cancellationToken)
    {
        if (label.Length > TextLimits.Text)
        {
            return new(null, AccessResult.Invalid($"a label is at most {TextLimits.Text} characters"));
        }
        var now = time.GetUtcNow();
        var key = NewSecret("prk_");
        return await database.AuditedAsync<ApiKeyResult>(async (connection, transaction) =>
        {
            const string owner = """
                SELECT user_name, kind FROM users WHERE user_name = @UserName AND status = 'Active'
                """;
            if (await connection.QuerySingleOrDefaultAsync<(string UserName, string Kind)?>(new CommandDefinition(owner,
                new { UserName = userName }, transaction, cancellationToken: cancellationToken)) is not { } user)
            {
                return (new ApiKeyResult(null, AccessResult.NotFound($"no active user {userName}")), [], false);
            }
            if (user.Kind != nameof(UserKind.Service) && !string.Equals(user.UserName, actor, StringComparison.OrdinalIgnoreCase))
            {
                return (new ApiKeyResult(null, AccessResult.Refused($"{user.UserName} is a person: an API key is only for one's own account or a service account")),
                    [new AuditEvent(now, AuditEventTypes.UnauthorizedModificationAttempt, actor, AuditOutcome.Failure, user.UserName,
                        $"function={AuditEventTypes.ApiKeyCreated}; refused: an API key for another person would let {actor} act as them")], true);
            }
            const string sql = """
                INSERT INTO api_keys (key_sha256, user_name, label, created_at) VALUES (@Hash, @UserName, @Label, @Now)
                """;
            await connection.ExecuteAsync(new CommandDefinition(sql,
                new { Hash = Hash(key), user.UserName, Label = label, Now = ReceiptSeal.FormatTimestamp(now) }, transaction, cancellationToken: cancellationToken));
            return (new ApiKeyResult(key, AccessResult.Changed), [new AuditEvent(now, AuditEventTypes.ApiKeyCreated, actor, AuditOutcome.Success, user.UserName,
                $"before: -; after: API key '{label}' ({Hash(key)[..12]}…)")], true);
        }, cancellationToken);
    }

    private sealed record WaitingRow(string LockedUntil, string? AuditedUntil);

    private sealed record Reservation(bool Reserved, int Failures, DateTimeOffset? Until, bool AuditDue, string Why, DateTimeOffset? AccountLockedUntil = null);

    /// <summary>
    /// Reserves one password check in a single write: refused while the account is locked or this address waits; else
    /// counted as a failure in advance with this address's next wait set before the hash runs, so concurrent attempts see
    /// it; and the account locked if its failures within the hour now come from <see cref="LoginThrottle.SpreadGroups"/>
    /// address groups.
    /// </summary>
    private async Task<Reservation> ReserveCheckAsync(string userName, ClientAddress from, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var at = ReceiptSeal.FormatTimestamp(now);
        var arguments = new { UserName = userName, from.Address, AddressGroup = from.Group, Now = at };
        const string accountLock = """
            SELECT locked_until FROM login_failures WHERE user_name = @UserName AND locked_until > @Now
            """;
        if (await connection.ExecuteScalarAsync<string?>(new CommandDefinition(accountLock, arguments, transaction, cancellationToken: cancellationToken)) is { } accountUntil)
        {
            // A spread attack's lock, audited when it was set; each refusal under it only answers 429.
            await transaction.CommitAsync(cancellationToken);
            return new Reservation(false, 0, ReceiptSeal.ParseTimestamp(accountUntil), AuditDue: false,
                $"the account is locked: failed sign-ins from {LoginThrottle.SpreadGroups} or more address groups within {LoginThrottle.SpreadWindow.TotalMinutes:0} minutes");
        }
        // Rows of addresses whose wait ended a day ago are forgotten (bounded, under any flood of names and addresses).
        const string forget = """
            DELETE FROM login_throttle WHERE last_failed_at < @Stale AND (locked_until IS NULL OR locked_until < @Now)
            """;
        await connection.ExecuteAsync(new CommandDefinition(forget, new { Stale = ReceiptSeal.FormatTimestamp(now - TimeSpan.FromDays(1)), Now = at },
            transaction, cancellationToken: cancellationToken));
        const string another = """
            UPDATE login_throttle SET failures = failures + 1, last_failed_at = @Now
            WHERE user_name = @UserName AND address = @Address AND (locked_until IS NULL OR locked_until <= @Now)
            """;
        const string counted = """
            SELECT failures FROM login_throttle WHERE user_name = @UserName AND address = @Address
            """;
        var first = $"""
            INSERT INTO login_throttle (user_name, address, address_group, failures, locked_until, last_failed_at)
            VALUES (@UserName, @Address, @AddressGroup, 1, NULL, @Now) {database.Dialect.IgnoreDuplicateKey}
            """;
        int? failures = await connection.ExecuteAsync(new CommandDefinition(another, arguments, transaction, cancellationToken: cancellationToken)) > 0
            ? await connection.ExecuteScalarAsync<int>(new CommandDefinition(counted, arguments, transaction, cancellationToken: cancellationToken))
            : await connection.ExecuteAsync(new CommandDefinition(first, arguments, transaction, cancellationToken: cancellationToken)) > 0 ? 1 : null;
        if (failures is not { } count)
        {
            // This address waits: audited once per wait (audited_until), not per attempt.
            const string waiting = """
                SELECT locked_until AS LockedUntil, audited_until AS AuditedUntil FROM login_throttle WHERE user_name = @UserName AND address = @Address
                """;
            var row = await connection.QuerySingleAsync<WaitingRow>(new CommandDefinition(waiting, arguments, transaction, cancellationToken: cancellationToken));
            var due = row.AuditedUntil != row.LockedUntil;
            if (due)
            {
                const string audited = """
                    UPDATE login_throttle SET audited_until = locked_until WHERE user_name = @UserName AND address = @Address
                    """;
                await connection.ExecuteAsync(new CommandDefinition(audited, arguments, transaction, cancellationToken: cancellationToken));
            }
            await transaction.CommitAsync(cancellationToken);
            return new Reservation(false, 0, ReceiptSeal.ParseTimestamp(row.LockedUntil), due,
                "this address waits after failed sign-ins (1 s, doubling to 15 minutes)");
        }
        var lockUntil = now + LoginThrottle.WaitAfter(count);
        const string throttle = """
            UPDATE login_throttle SET locked_until = @Until WHERE user_name = @UserName AND address = @Address
            """;
        await connection.ExecuteAsync(new CommandDefinition(throttle,
            new { UserName = userName, from.Address, Until = ReceiptSeal.FormatTimestamp(lockUntil) }, transaction, cancellationToken: cancellationToken));
        // A guessing attack spread over many places locks the account itself.
        const string spread = """
            SELECT COUNT(DISTINCT address_group) FROM login_throttle WHERE user_name = @UserName AND last_failed_at >= @Since
            """;
        var groups = await connection.ExecuteScalarAsync<int>(new CommandDefinition(spread,
            new { UserName = userName, Since = ReceiptSeal.FormatTimestamp(now - LoginThrottle.SpreadWindow) }, transaction, cancellationToken: cancellationToken));
        DateTimeOffset? accountLocked = null;
        if (groups >= LoginThrottle.SpreadGroups)
        {
            accountLocked = now + LoginThrottle.AccountLock;
            var lockAccount = $"""
                INSERT INTO login_failures (user_name, failures, locked_until) VALUES (@UserName, @Groups, @Until) {database.Dialect.IgnoreDuplicateKey}
                """;
            const string relock = """
                UPDATE login_failures SET failures = @Groups, locked_until = @Until WHERE user_name = @UserName
                """;
            var lockArguments = new { UserName = userName, Groups = groups, Until = ReceiptSeal.FormatTimestamp(accountLocked.Value) };
            if (await connection.ExecuteAsync(new CommandDefinition(relock, lockArguments, transaction, cancellationToken: cancellationToken)) == 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(lockAccount, lockArguments, transaction, cancellationToken: cancellationToken));
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return new Reservation(true, count, lockUntil, AuditDue: false,
            $"failed sign-ins from {groups} address groups within {LoginThrottle.SpreadWindow.TotalMinutes:0} minutes", accountLocked);
    }

    private async Task ClearFailuresAsync(string userName, ClientAddress from, CancellationToken cancellationToken)
    {
        const string sql = """
            DELETE FROM login_throttle WHERE user_name = @UserName AND address = @Address
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { UserName = userName, from.Address }, cancellationToken: cancellationToken));
    }

    private const string SessionPurpose = "session";

    private sealed record OpenSession(string TokenSha256, string UserName, string CreatedAt, string LastSeenAt, long PasswordChangeOnly);

    /// <summary>A session row's MAC under the chain key, over every field the service sets (ended_at too, so an ended session stays ended).</summary>
    private string SessionMac(string tokenSha256, string userName, string createdAt, string lastSeenAt, string? endedAt, bool changeOnly) =>
        Mac(database.ChainKeys, tokenSha256, userName, createdAt, lastSeenAt, endedAt, changeOnly);

    private static string Mac(ChainKeyRing? keys, string tokenSha256, string userName, string createdAt, string lastSeenAt, string? endedAt, bool changeOnly) =>
        (keys ?? throw new ChainKeyUnavailableException()).Current.MacRow(SessionPurpose, tokenSha256, userName, createdAt, lastSeenAt, endedAt,
            changeOnly ? "1" : "0");

    private static Task EndAsync(DbConnection connection, DbTransaction? transaction, string tokenSha256, string userName, string createdAt, string lastSeenAt,
        bool changeOnly, DateTimeOffset now, CancellationToken cancellationToken) =>
        RewriteAsync(connection, transaction, new OpenSession(tokenSha256, userName, createdAt, lastSeenAt, changeOnly ? 1 : 0), ReceiptSeal.FormatTimestamp(now),
            changeOnly, cancellationToken);

    /// <summary>Sets a session's ended time and password-change flag, with its MAC made again over the row as it now is.</summary>
    private static async Task RewriteAsync(DbConnection connection, DbTransaction? transaction, OpenSession session, string? endedAt, bool changeOnly,
        CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE sessions SET ended_at = @EndedAt, password_change_only = @ChangeOnly, mac = @Mac WHERE token_sha256 = @Hash
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            Hash = session.TokenSha256, EndedAt = endedAt, ChangeOnly = changeOnly ? 1 : 0,
            Mac = Mac(Database.Of(connection).ChainKeys, session.TokenSha256, session.UserName, session.CreatedAt, session.LastSeenAt, endedAt, changeOnly),
        }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Ends every open session of a user but <paramref name="exceptTokenSha256"/> (a disable, a reset, a password change),
    /// in the caller's transaction; each ended row's MAC is made again, so it cannot be reopened by editing the file.
    /// </summary>
    internal static async Task EndAllAsync(DbConnection connection, DbTransaction transaction, string userName, DateTimeOffset now, string? exceptTokenSha256,
        CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT token_sha256, user_name, created_at, last_seen_at, password_change_only FROM sessions WHERE user_name = @UserName AND ended_at IS NULL
            """;
        foreach (var session in (await connection.QueryAsync<OpenSession>(new CommandDefinition(sql, new { UserName = userName }, transaction,
            cancellationToken: cancellationToken))).Where(s => s.TokenSha256 != exceptTokenSha256).ToList())
        {
            await RewriteAsync(connection, transaction, session, ReceiptSeal.FormatTimestamp(now), session.PasswordChangeOnly != 0, cancellationToken);
        }
    }

    /// <summary>The session that changed its one-time password may do everything from now on; its MAC is made again.</summary>
    internal static async Task ClearPasswordChangeOnlyAsync(DbConnection connection, DbTransaction transaction, string tokenSha256, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT token_sha256, user_name, created_at, last_seen_at, password_change_only FROM sessions WHERE token_sha256 = @Hash AND ended_at IS NULL
            """;
        if (await connection.QuerySingleOrDefaultAsync<OpenSession>(new CommandDefinition(sql, new { Hash = tokenSha256 }, transaction,
            cancellationToken: cancellationToken)) is { } session)
        {
            await RewriteAsync(connection, transaction, session, null, false, cancellationToken);
        }
    }

    private void CountFailure(LoginOutcome outcome) => _signInFailures?.Add(1, new KeyValuePair<string, object?>("outcome", outcome.ToString()));

    private Task AuditAsync(DateTimeOffset now, string type, string userName, AuditOutcome outcome, string details, CancellationToken cancellationToken) =>
        new Audit.AuditLog(database).AppendAsync([new AuditEvent(now, type, userName, outcome, userName, details)], cancellationToken);

    private static string NewSecret(string prefix) => prefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>How a session token or API key is stored: its SHA-256, hex.</summary>
    internal static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
