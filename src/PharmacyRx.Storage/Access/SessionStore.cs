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
/// Logins, sessions and API keys (256 random bits, shown once, stored only as SHA-256); sessions end after 15 minutes
/// idle, 12 hours in all, or logout. Failed logins back off per (account, address) (<see cref="LoginThrottle"/>),
/// decided in one write before the password is checked, never locking for good. Audited; metered without user names.
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

    /// <summary>
    /// Who a session token or API key belongs to; a session opened with a one-time password may only change it; a
    /// <see cref="Locked"/> console session opens the lock screen only.
    /// </summary>
    public sealed record Authenticated(string UserName, bool PasswordChangeOnly, bool Locked = false);

    /// <summary>The outcome of unlocking a session: the password's outcome, or <see cref="LoginOutcome.Failed"/> when the session has ended.</summary>
    public sealed record UnlockResult(LoginOutcome Outcome, string? UserName, DateTimeOffset? RetryAfter, bool SessionEnded = false);

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

    /// <summary>
    /// Checks the password of a person who asks for or approves an access change outside a session (the command line), as a
    /// sign-in is checked, except that a one-time password does not hold: it was handed to whoever approved the account or
    /// its reset, so taking it would let one person ask and approve (1311.205(b)(1)). As at sign-in, it is only for being
    /// changed. Refused and audited; <see cref="LoginResult.PasswordChangeRequired"/> says why.
    /// </summary>
    public async Task<LoginResult> CheckPersonAsync(string userName, string password, string purpose, CancellationToken cancellationToken)
    {
        var check = await CheckPasswordAsync(userName, password, purpose, cancellationToken);
        if (check is not { Outcome: LoginOutcome.Succeeded, PasswordChangeRequired: true })
        {
            return check;
        }
        await AuditAsync(time.GetUtcNow(), AuditEventTypes.LoginFailed, check.UserName!, AuditOutcome.Failure,
            $"{purpose}: refused, the password is a one-time password, which holds only to be changed", cancellationToken);
        CountFailure(LoginOutcome.Failed);
        return check with { Outcome = LoginOutcome.Failed };
    }

    /// <summary>The user a session token or API key belongs to, or null when it is unknown, ended, expired or revoked, or may only change the password.</summary>
    public async Task<string?> AuthenticateAsync(string secret, CancellationToken cancellationToken) =>
        await AuthenticateSessionAsync(secret, cancellationToken) is { PasswordChangeOnly: false } user ? user.UserName : null;

    /// <summary>
    /// Who a session token or API key belongs to, or null when it is unknown, ended, expired or revoked. A request that is
    /// not the user's own doing (the console's queue refreshing itself) passes <paramref name="activity"/> false: it does
    /// not keep an idle session open.
    /// </summary>
    /// <remarks>
    /// With <paramref name="lockAfter"/> (a console session at a shared counter) a session idle that long is locked, and
    /// stays locked, without being touched, until <see cref="UnlockAsync"/>: it comes back <see cref="Authenticated.Locked"/>.
    /// </remarks>
    public async Task<Authenticated?> AuthenticateSessionAsync(string secret, CancellationToken cancellationToken, bool activity = true, TimeSpan? lockAfter = null)
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
            SELECT s.user_name, s.created_at, s.last_seen_at, s.password_change_only, s.mac, s.locked_at FROM sessions s JOIN users u ON u.user_name = s.user_name
            WHERE s.token_sha256 = @Hash AND s.ended_at IS NULL AND u.status = 'Active'
            """;
        var session = await connection.QuerySingleOrDefaultAsync<(string UserName, string CreatedAt, string LastSeenAt, long PasswordChangeOnly, string? Mac, string? LockedAt)?>(
            new CommandDefinition(find, new { Hash = hash }, cancellationToken: cancellationToken));
        // 1311.215(a)(2): a session row planted or edited in the file (its MAC under the chain key does not hold) opens nothing,
        // nor does a user row the audit chain does not hold; nor does a lock cleared in the file (locked_at is under the MAC).
        if (session is not { } open
            || database.ChainKeys?.RowHolds(open.Mac, SessionPurpose, MacFields(hash, open.UserName, open.CreatedAt, open.LastSeenAt, null, open.PasswordChangeOnly != 0, open.LockedAt)) != true
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
        if (open.LockedAt is not null)
        {
            return new Authenticated(open.UserName, open.PasswordChangeOnly != 0, Locked: true);
        }
        if (lockAfter is { } idleLock && now - lastSeen > idleLock)
        {
            await LockAsync(secret, $"idle for more than {idleLock.TotalMinutes:0.#} minutes", cancellationToken);
            return new Authenticated(open.UserName, open.PasswordChangeOnly != 0, Locked: true);
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
    /// Locks an open console session (a shared counter left idle, or its user stepping away): from now on it opens only the
    /// lock screen, until its user's password unlocks it (<see cref="UnlockAsync"/>). Audited; false when it was not open
    /// or already locked.
    /// </summary>
    public async Task<bool> LockAsync(string token, string why, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var hash = Hash(token);
        return await database.AuditedAsync<bool>(async (connection, transaction) =>
        {
            if (await OpenRowAsync(connection, transaction, hash, cancellationToken) is not { LockedAt: null } session)
            {
                return (false, [], false);
            }
            await RewriteAsync(connection, transaction, session with { LockedAt = ReceiptSeal.FormatTimestamp(now) }, null, session.PasswordChangeOnly != 0,
                cancellationToken);
            return (true, [new AuditEvent(now, AuditEventTypes.SessionLocked, session.UserName, AuditOutcome.Success, session.UserName, $"console session locked: {why}")], true);
        }, cancellationToken);
    }

    /// <summary>
    /// Unlocks a locked console session with its own user's password, checked under the sign-in throttle
    /// (<see cref="CheckPasswordAsync"/>: a wrong one is audited as a failed sign-in). On success the session is current
    /// again and the unlock is audited; no one else's password unlocks it (1311.205(b)(1)).
    /// </summary>
    public async Task<UnlockResult> UnlockAsync(string token, string password, ClientAddress? from, CancellationToken cancellationToken)
    {
        var hash = Hash(token);
        OpenSession? session;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            session = await OpenRowAsync(connection, null, hash, cancellationToken);
        }
        if (session is null || await AuthenticateSessionAsync(token, cancellationToken, activity: false) is null)
        {
            return new UnlockResult(LoginOutcome.Failed, null, null, SessionEnded: true);
        }
        var check = await CheckPasswordAsync(session.UserName, password, "unlock", cancellationToken, from);
        if (check.Outcome != LoginOutcome.Succeeded)
        {
            return new UnlockResult(check.Outcome, session.UserName, check.RetryAfter);
        }
        var now = time.GetUtcNow();
        return await database.AuditedAsync<UnlockResult>(async (connection, transaction) =>
        {
            if (await OpenRowAsync(connection, transaction, hash, cancellationToken) is not { } open)
            {
                return (new UnlockResult(LoginOutcome.Failed, null, null, SessionEnded: true), [], false);
            }
            await RewriteAsync(connection, transaction, open with { LastSeenAt = ReceiptSeal.FormatTimestamp(now), LockedAt = null }, null,
                open.PasswordChangeOnly != 0, cancellationToken);
            return (new UnlockResult(LoginOutcome.Succeeded, open.UserName, null),
                [new AuditEvent(now, AuditEventTypes.SessionUnlocked, open.UserName, AuditOutcome.Success, open.UserName,
                    $"console session unlocked with the user's password; from {(from ?? ClientAddress.Unknown).Address}")], true);
        }, cancellationToken);
    }

    private static async Task<OpenSession?> OpenRowAsync(DbConnection connection, DbTransaction? transaction, string hash, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT token_sha256, user_name, created_at, last_seen_at, password_change_only, locked_at FROM sessions WHERE token_sha256 = @Hash AND ended_at IS NULL
            """;
        return await connection.QuerySingleOrDefaultAsync<OpenSession>(new CommandDefinition(sql, new { Hash = hash }, transaction, cancellationToken: cancellationToken));
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
                SELECT token_sha256, user_name, created_at, last_seen_at, password_change_only, locked_at FROM sessions WHERE token_sha256 = @Hash AND ended_at IS NULL
                """;
            const string others = """
                SELECT token_sha256, user_name, created_at, last_seen_at, password_change_only, locked_at FROM sessions WHERE user_name = @User AND ended_at IS NULL
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

    private sealed record OpenSession(string TokenSha256, string UserName, string CreatedAt, string LastSeenAt, long PasswordChangeOnly, string? LockedAt = null);

    /// <summary>A session row's MAC under the chain key, over every field the service sets (ended_at too, so an ended session stays ended).</summary>
    private string SessionMac(string tokenSha256, string userName, string createdAt, string lastSeenAt, string? endedAt, bool changeOnly) =>
        Mac(database.ChainKeys, tokenSha256, userName, createdAt, lastSeenAt, endedAt, changeOnly);

    private static string Mac(ChainKeyRing? keys, string tokenSha256, string userName, string createdAt, string lastSeenAt, string? endedAt, bool changeOnly,
        string? lockedAt = null) =>
        (keys ?? throw new ChainKeyUnavailableException()).Current.MacRow(SessionPurpose, MacFields(tokenSha256, userName, createdAt, lastSeenAt, endedAt, changeOnly, lockedAt));

    // The lock time joins the MAC'd fields only when set, so an unlocked row's MAC is what it was before sessions could lock.
    private static string?[] MacFields(string tokenSha256, string userName, string createdAt, string lastSeenAt, string? endedAt, bool changeOnly, string? lockedAt) =>
        lockedAt is null
            ? [tokenSha256, userName, createdAt, lastSeenAt, endedAt, changeOnly ? "1" : "0"]
            : [tokenSha256, userName, createdAt, lastSeenAt, endedAt, changeOnly ? "1" : "0", lockedAt];

    private static Task EndAsync(DbConnection connection, DbTransaction? transaction, string tokenSha256, string userName, string createdAt, string lastSeenAt,
        bool changeOnly, DateTimeOffset now, CancellationToken cancellationToken) =>
        RewriteAsync(connection, transaction, new OpenSession(tokenSha256, userName, createdAt, lastSeenAt, changeOnly ? 1 : 0), ReceiptSeal.FormatTimestamp(now),
            changeOnly, cancellationToken);

    /// <summary>
    /// Sets a session's ended time and password-change flag, and its last-seen time and lock as <paramref name="session"/>
    /// has them, with its MAC made again over the row as it now is.
    /// </summary>
    private static async Task RewriteAsync(DbConnection connection, DbTransaction? transaction, OpenSession session, string? endedAt, bool changeOnly,
        CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE sessions SET ended_at = @EndedAt, password_change_only = @ChangeOnly, last_seen_at = @LastSeenAt, locked_at = @LockedAt, mac = @Mac
            WHERE token_sha256 = @Hash
            """;
        var (lastSeenAt, lockedAt) = (session.LastSeenAt, session.LockedAt);
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            Hash = session.TokenSha256, EndedAt = endedAt, ChangeOnly = changeOnly ? 1 : 0, LastSeenAt = lastSeenAt, LockedAt = lockedAt,
            Mac = Mac(Database.Of(connection).ChainKeys, session.TokenSha256, session.UserName, session.CreatedAt, lastSeenAt, endedAt, changeOnly, lockedAt),
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
            SELECT token_sha256, user_name, created_at, last_seen_at, password_change_only, locked_at FROM sessions WHERE user_name = @UserName AND ended_at IS NULL
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
            SELECT token_sha256, user_name, created_at, last_seen_at, password_change_only, locked_at FROM sessions WHERE token_sha256 = @Hash AND ended_at IS NULL
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
