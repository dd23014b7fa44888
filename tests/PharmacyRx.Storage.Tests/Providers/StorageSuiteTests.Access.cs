using Dapper;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Access;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Receiving;
using PharmacyRx.Testing;

namespace PharmacyRx.Storage.Tests.Providers;

// Users, grants, sessions, API keys and senders (1311.205(b)(1)-(2), 1311.215(a)(4)).
public partial class StorageSuiteTests
{
    // One slow hash (PBKDF2) for the whole suite.
    private static readonly Lazy<string> PasswordHash = new(() => PasswordHasher.Hash(Password));
    private const string Password = "synthetic-suite-password-1";

    [Test]
    public async Task A_user_created_is_listed_with_their_roles_and_a_name_taken_changes_nothing()
    {
        var users = new UserStore(_store.Database, TimeProvider.System);
        var access = new AccessStore(_store.Database, TimeProvider.System);

        var created = await users.CreateAsync(new UserStore.NewUser("pharm", "Synthetic Pharmacist", "SP", "hash-1", ["Pharmacist", "Inspector"]), "admin", default);
        var again = await users.CreateAsync(new UserStore.NewUser("pharm", "Someone Else", "SE", "hash-2", ["PharmacyAdmin"]), "admin", default);

        Assert.That((created, again), Is.EqualTo((true, false)));
        var listed = (await access.ListUsersAsync(default)).Single();
        Assert.That((listed.UserName, listed.FullName, listed.Initials, listed.Status, listed.Kind), Is.EqualTo(("pharm", "Synthetic Pharmacist", "SP", "Active", "Person")));
        Assert.That(listed.Roles, Is.EqualTo(new[] { "Inspector", "Pharmacist" }));
        var credentials = await access.CredentialsAsync("pharm", default);
        Assert.That((credentials?.PasswordHash, credentials?.PasswordChangeRequired), Is.EqualTo(("hash-1", 1L)), "a password someone else set is one-time");
    }

    [Test]
    public async Task A_user_holds_what_their_roles_and_grants_give_nobody_changes_their_own_and_disabling_takes_it_all()
    {
        var users = new UserStore(_store.Database, TimeProvider.System);
        var access = new AccessStore(_store.Database, TimeProvider.System);
        await users.CreateAsync(new UserStore.NewUser("tech", "Synthetic Technician", "ST", "hash", ["Technician"]), "admin", default);

        var granted = await access.GrantAsync("tech", Permission.Export, "admin", default);
        var held = await access.PermissionsAsync("tech", default);
        var ownGrant = await access.GrantAsync("tech", Permission.ManageAccess, "TECH", default);
        var disabled = await access.DisableAsync("tech", "admin", default);
        var afterDisable = await access.PermissionsAsync("tech", default);

        Assert.That((granted, ownGrant.Outcome, disabled), Is.EqualTo((AccessResult.Changed, AccessOutcome.Refused, AccessResult.Changed)));
        Assert.That(held, Is.EquivalentTo(new[] { Permission.ReadPrescriptions, Permission.Annotate, Permission.Export }));
        Assert.That(afterDisable, Is.Empty);
        var audit = await new AuditLog(_store.Database).ReadAllAsync(default).Where(e => e.Event.Actor != CoverageActor && e.Event.Type != AuditEventTypes.ChainKeyed).Select(e => $"{e.Event.Type} {e.Event.Actor} {e.Event.Target}").ToListAsync();
        Assert.That(audit, Is.EqualTo(new[]
        {
            "UserCreated admin tech", "PermissionGranted admin tech", "UnauthorizedModificationAttempt TECH tech", "UserDisabled admin tech",
        }));
    }

    [Test]
    public async Task A_session_opens_with_the_password_ends_at_logout_and_expires_when_idle()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var sessions = new SessionStore(_store.Database, clock);
        await new UserStore(_store.Database, clock).CreateAsync(new UserStore.NewUser("pharm", "Synthetic Pharmacist", "SP", PasswordHash.Value, ["Pharmacist"]), "admin", default);

        var wrong = await sessions.LoginAsync("pharm", "not-the-password", default);
        var idle = await sessions.LoginAsync("PHARM", Password, default);
        var fresh = await sessions.AuthenticateSessionAsync(idle.Token!, default);
        clock.Advance(SessionStore.IdleTimeout + TimeSpan.FromSeconds(1));
        var expired = await sessions.AuthenticateSessionAsync(idle.Token!, default);
        var second = await sessions.LoginAsync("pharm", Password, default);
        var open = await sessions.AuthenticateSessionAsync(second.Token!, default);
        var loggedOut = await sessions.LogoutAsync(second.Token!, default);
        var afterLogout = await sessions.AuthenticateSessionAsync(second.Token!, default);
        var logoutAgain = await sessions.LogoutAsync(second.Token!, default);

        Assert.That((wrong.Outcome, wrong.Token), Is.EqualTo((LoginOutcome.Failed, (string?)null)));
        Assert.That((idle.Outcome, idle.PasswordChangeRequired), Is.EqualTo((LoginOutcome.Succeeded, true)), "the user name is normalised; the password was set by an administrator");
        Assert.That(fresh, Is.EqualTo(new SessionStore.Authenticated("pharm", PasswordChangeOnly: true)));
        Assert.That(expired, Is.Null, "idle past the timeout");
        Assert.That(open?.UserName, Is.EqualTo("pharm"));
        Assert.That((loggedOut, afterLogout, logoutAgain), Is.EqualTo((true, (SessionStore.Authenticated?)null, false)));
    }

    [Test]
    public async Task A_console_session_locks_when_idle_stays_locked_and_only_its_users_password_unlocks_it()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var sessions = new SessionStore(_store.Database, clock);
        await new UserStore(_store.Database, clock).CreateAsync(new UserStore.NewUser("counter", "Synthetic Pharmacist", "SP", PasswordHash.Value, ["Pharmacist"]), "admin", default);
        var login = await sessions.LoginAsync("counter", Password, default);
        var lockAfter = TimeSpan.FromMinutes(5);

        var working = await sessions.AuthenticateSessionAsync(login.Token!, default, lockAfter: lockAfter);
        clock.Advance(lockAfter + TimeSpan.FromSeconds(1));
        var idle = await sessions.AuthenticateSessionAsync(login.Token!, default, lockAfter: lockAfter);
        // Locked stays locked: activity does not unlock it, nor does a request without the lock time (the lock is in the row).
        var stillLocked = await sessions.AuthenticateSessionAsync(login.Token!, default);
        var wrong = await sessions.UnlockAsync(login.Token!, "not-the-password", null, default);
        var unlocked = await sessions.UnlockAsync(login.Token!, Password, null, default);
        var afterUnlock = await sessions.AuthenticateSessionAsync(login.Token!, default, lockAfter: lockAfter);

        Assert.That(working?.Locked, Is.False);
        Assert.That(idle?.Locked, Is.True);
        Assert.That(stillLocked?.Locked, Is.True);
        Assert.That(wrong.Outcome, Is.EqualTo(LoginOutcome.Failed));
        Assert.That((unlocked.Outcome, unlocked.UserName), Is.EqualTo((LoginOutcome.Succeeded, (string?)"counter")));
        Assert.That(afterUnlock, Is.EqualTo(new SessionStore.Authenticated("counter", PasswordChangeOnly: true)));

        // 1311.215(a)(2): a lock cleared in the file, not by the user's password, opens nothing (the lock is under the row's MAC).
        Assert.That(await sessions.LockAsync(login.Token!, "stepped away", default), Is.True);
        await using (var connection = await _store.Database.OpenAsync(default))
        {
            await connection.ExecuteAsync("UPDATE sessions SET locked_at = NULL WHERE user_name = 'counter'");
        }
        Assert.That(await sessions.AuthenticateSessionAsync(login.Token!, default), Is.Null);
    }

    [Test]
    public async Task An_API_key_is_for_ones_own_account_and_opens_it_until_the_account_is_disabled()
    {
        var users = new UserStore(_store.Database, TimeProvider.System);
        var sessions = new SessionStore(_store.Database, TimeProvider.System);
        foreach (var name in new[] { "pharm", "tech" })
        {
            await users.CreateAsync(new UserStore.NewUser(name, $"Synthetic {name}", "SY", "hash", ["Pharmacist"]), "admin", default);
        }

        var own = await sessions.CreateApiKeyAsync("tech", "script", "tech", default);
        var forAnother = await sessions.CreateApiKeyAsync("pharm", "script", "tech", default);
        var opens = await sessions.AuthenticateAsync(own.Key!, default);
        await new AccessStore(_store.Database, TimeProvider.System).DisableAsync("tech", "pharm", default);
        var afterDisable = await sessions.AuthenticateAsync(own.Key!, default);

        Assert.That(own.Result, Is.EqualTo(AccessResult.Changed));
        Assert.That(own.Key, Does.StartWith("prk_"));
        Assert.That((forAnother.Result.Outcome, forAnother.Key), Is.EqualTo((AccessOutcome.Refused, (string?)null)));
        Assert.That((opens, afterDisable), Is.EqualTo(("tech", (string?)null)));
    }

    [Test]
    public async Task A_sender_key_or_pinned_certificate_identifies_its_sender_until_it_is_disabled()
    {
        var senders = new SenderStore(_store.Database, TimeProvider.System);

        var added = await senders.AddAsync("gateway-a", "gateway-from", "ab12cd", "admin", default);
        var sameName = await senders.AddAsync("GATEWAY-A", null, null, "admin", default);
        var byKey = await senders.AuthenticateAsync(added.ApiKey!, default);
        var byCertificate = await senders.FindByCertificateAsync("AB12CD", default);
        var disabled = await senders.DisableAsync("gateway-a", "admin", default);
        var afterDisable = await senders.AuthenticateAsync(added.ApiKey!, default);
        var disabledAgain = await senders.DisableAsync("gateway-a", "admin", default);
        var listed = (await senders.ListAsync(default)).Single();

        Assert.That((sameName.ApiKey, sameName.Problem), Is.EqualTo(((string?)null, "a sender named GATEWAY-A or with that client certificate exists already")));
        Assert.That((byKey?.SenderName, byKey?.FromId, byKey?.ClientCertificateThumbprint), Is.EqualTo(("gateway-a", "gateway-from", "AB12CD")));
        Assert.That(byCertificate?.SenderName, Is.EqualTo("gateway-a"));
        Assert.That((disabled, afterDisable, disabledAgain), Is.EqualTo((true, (Sender?)null, false)));
        Assert.That((listed.SenderName, listed.IsActive), Is.EqualTo(("gateway-a", false)));
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task Receipt_sees_a_From_binding_changed_through_its_store_at_once_and_one_changed_elsewhere_within_a_second()
    {
        var clock = new SteppedClock();
        var receipt = new SenderStore(_store.Database, clock);
        var elsewhere = new SenderStore(_store.Database, TimeProvider.System);

        var before = await receipt.BoundToOnReceiptAsync("gateway-from", default);
        await elsewhere.AddAsync("gateway-b", "gateway-from", null, "admin", default);
        var withinTheSecond = await receipt.BoundToOnReceiptAsync("gateway-from", default);
        clock.Advance(SenderStore.BindingsFreshFor);
        var afterIt = await receipt.BoundToOnReceiptAsync("gateway-from", default);
        await receipt.DisableAsync("gateway-b", "admin", default);
        var disabledHere = await receipt.BoundToOnReceiptAsync("gateway-from", default);
        await receipt.AddAsync("relay-c", "relay-from", null, "admin", default);
        var addedHere = await receipt.BoundToOnReceiptAsync("relay-from", default);

        Assert.That((before, withinTheSecond, afterIt), Is.EqualTo(((string?)null, (string?)null, "gateway-b")));
        Assert.That((disabledHere, addedHere), Is.EqualTo(((string?)null, "relay-c")));
        Assert.That(await receipt.BoundToAsync("relay-from", default), Is.EqualTo("relay-c"), "read now, as adding a sender asks");
    }

    /// <summary>A monotonic clock that moves only when the test moves it.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
