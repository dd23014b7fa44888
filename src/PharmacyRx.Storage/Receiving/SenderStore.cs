using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Integrity;

namespace PharmacyRx.Storage.Receiving;

/// <summary>
/// The senders allowed to submit messages and their credentials. A sender key is 256 random bits shown once; only its
/// SHA-256 is stored and it is never logged or audited (an audit event names its first 12 hex digits of hash).
/// Adding and disabling are audited (1311.215(a)(4)).
/// </summary>
public sealed class SenderStore(Database database, TimeProvider time)
{
    /// <summary>Every sender key starts so, which tells it apart from a user's API key (<c>prk_</c>) or session (<c>prs_</c>).</summary>
    public const string KeyPrefix = "prx_sender_";

    /// <summary>Longest sender name; names are letters, digits, '.', '-' and '_'.</summary>
    public const int MaxNameLength = 64;

    /// <summary>
    /// How long receipt relies on the bindings it read (<see cref="BoundToOnReceiptAsync"/>) when they were changed
    /// elsewhere (the command line, another instance): one second. For that long a new binding may not yet send another
    /// sender's message with its identifier to review, as it did not a moment before it was made; a disabled sender's
    /// identifier still does, which errs towards review. A row written with plain SQL counts at no time.
    /// </summary>
    public static readonly TimeSpan BindingsFreshFor = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private volatile Bindings? _bindings;
    private Task<Bindings>? _reading;
    private long _changes;

    /// <summary>The active, covered <c>Header/From</c> bindings, when they were read and this store's changes by then.</summary>
    private sealed record Bindings(IReadOnlyDictionary<string, string> Holders, long ReadAt, long Changes);

    /// <summary>The outcome of adding a sender: its key, or why not.</summary>
    public sealed record AddResult(string? ApiKey, string? Problem);

    /// <summary>True for a name this store accepts: 1–64 of letters, digits, '.', '-' and '_'.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= MaxNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    /// <summary>
    /// Why a sender may not be added with this From binding, or null: a sender names the <c>Header/From</c> identifier
    /// its messages carry, or says explicitly that it may carry any (an intermediary relaying many prescribers). Left
    /// unsaid, a sender could claim another sender's identifier (DESIGN.md, "Trust boundaries").
    /// </summary>
    public static string? FromProblem(string? fromId, bool anyFrom) =>
        (string.IsNullOrWhiteSpace(fromId), anyFrom) switch
        {
            (true, false) => "name the Header/From identifier this sender's messages carry (--from ID), or allow any explicitly (--any-from)",
            (false, true) => "a sender is bound to one Header/From identifier (--from ID) or to any (--any-from), not both",
            _ => null,
        };

    /// <summary>Adds a sender; returns its API key once. <paramref name="fromId"/> null: it may carry any Header/From.</summary>
    public async Task<AddResult> AddAsync(string name, string? fromId, string? clientCertificateThumbprint, string actor, CancellationToken cancellationToken)
    {
        if (!IsValidName(name))
        {
            return new AddResult(null, $"a sender name is 1 to {MaxNameLength} letters, digits, '.', '-' or '_'");
        }
        if (!string.IsNullOrEmpty(fromId) && await BoundToAsync(fromId, cancellationToken) is { } holder)
        {
            return new AddResult(null, $"Header/From {fromId} is bound to sender {holder} already");
        }
        var now = time.GetUtcNow();
        var key = KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var hash = Hash(key);
        var thumbprint = string.IsNullOrEmpty(clientCertificateThumbprint) ? null : clientCertificateThumbprint.ToUpperInvariant();
        return await ChangeAsync<AddResult>(async (connection, transaction) =>
        {
            const string sql = """
                INSERT INTO senders (sender_name, key_sha256, from_id, client_cert_thumbprint, created_at, created_by)
                SELECT @Name, @Hash, @FromId, @Thumbprint, @Now, @Actor
                WHERE NOT EXISTS (SELECT 1 FROM senders WHERE sender_name = @Name OR client_cert_thumbprint = @Thumbprint)
                """;
            var added = await connection.ExecuteAsync(new CommandDefinition(sql,
                new { Name = name, Hash = hash, FromId = string.IsNullOrEmpty(fromId) ? null : fromId, Thumbprint = thumbprint, Now = ReceiptSeal.FormatTimestamp(now), Actor = actor },
                transaction, cancellationToken: cancellationToken));
            return added == 0
                ? (new AddResult(null, $"a sender named {name} or with that client certificate exists already"), [], false)
                : (new AddResult(key, null), [new AuditEvent(now, AuditEventTypes.SenderAdded, actor, AuditOutcome.Success, $"sender:{name}",
                    $"before: -; after: sender '{name}', key {hash[..12]}…, from={fromId ?? "-"}, client certificate={thumbprint ?? "-"}")], true);
        }, cancellationToken);
    }

    /// <summary>Every sender, in name order.</summary>
    public async Task<IReadOnlyList<Sender>> ListAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT sender_name AS SenderName, from_id AS FromId, client_cert_thumbprint AS ClientCertificateThumbprint, created_at AS CreatedAt, disabled_at AS DisabledAt
            FROM senders ORDER BY sender_name
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Sender>(new CommandDefinition(sql, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Disables a sender: its key and certificate stop working at once. False when there is no active sender so named.</summary>
    public async Task<bool> DisableAsync(string name, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await ChangeAsync<bool>(async (connection, transaction) =>
        {
            const string sql = """
                SELECT sender_name FROM senders WHERE sender_name = @Name AND disabled_at IS NULL
                """;
            const string disable = """
                UPDATE senders SET disabled_at = @Now WHERE sender_name = @Name AND disabled_at IS NULL
                """;
            var disabled = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(sql, new { Name = name }, transaction, cancellationToken: cancellationToken));
            if (disabled is not null && await connection.ExecuteAsync(new CommandDefinition(disable,
                new { Name = name, Now = ReceiptSeal.FormatTimestamp(now) }, transaction, cancellationToken: cancellationToken)) == 0)
            {
                disabled = null;
            }
            return disabled is null
                ? (false, [], false)
                : (true, [new AuditEvent(now, AuditEventTypes.SenderDisabled, actor, AuditOutcome.Success, $"sender:{disabled}",
                    "before: active; after: disabled; key and client certificate no longer accepted")], true);
        }, cancellationToken);
    }

    /// <summary>
    /// Enables a disabled sender again: the key and certificate it had work again (a key that may have leaked is replaced by
    /// adding a new sender instead). False when there is no disabled sender so named.
    /// </summary>
    public async Task<bool> EnableAsync(string name, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await ChangeAsync<bool>(async (connection, transaction) =>
        {
            const string enable = """
                UPDATE senders SET disabled_at = NULL WHERE sender_name = @Name AND disabled_at IS NOT NULL
                """;
            var enabled = await connection.ExecuteAsync(new CommandDefinition(enable, new { Name = name }, transaction, cancellationToken: cancellationToken)) > 0;
            return enabled
                ? (true, [new AuditEvent(now, AuditEventTypes.SenderEnabled, actor, AuditOutcome.Success, $"sender:{name}",
                    "before: disabled; after: active; key and client certificate accepted again")], true)
                : (false, [], false);
        }, cancellationToken);
    }

    /// <summary>The active sender a key belongs to, or null (unknown, disabled, or not a sender key at all).</summary>
    public async Task<Sender?> AuthenticateAsync(string apiKey, CancellationToken cancellationToken)
    {
        if (!apiKey.StartsWith(KeyPrefix, StringComparison.Ordinal) || apiKey.Length > 128)
        {
            return null;
        }
        const string sql = """
            SELECT sender_name AS SenderName, from_id AS FromId, client_cert_thumbprint AS ClientCertificateThumbprint, created_at AS CreatedAt, disabled_at AS DisabledAt
            FROM senders WHERE key_sha256 = @Hash AND disabled_at IS NULL
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return await CoveredAsync(connection,
            await connection.QuerySingleOrDefaultAsync<Sender>(new CommandDefinition(sql, new { Hash = Hash(apiKey) }, cancellationToken: cancellationToken)), cancellationToken);
    }

    /// <summary>The active sender pinned to a client certificate's SHA-256 thumbprint, or null.</summary>
    public async Task<Sender?> FindByCertificateAsync(string thumbprint, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT sender_name AS SenderName, from_id AS FromId, client_cert_thumbprint AS ClientCertificateThumbprint, created_at AS CreatedAt, disabled_at AS DisabledAt
            FROM senders WHERE client_cert_thumbprint = @Thumbprint AND disabled_at IS NULL
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        return await CoveredAsync(connection,
            await connection.QuerySingleOrDefaultAsync<Sender>(new CommandDefinition(sql, new { Thumbprint = thumbprint.ToUpperInvariant() }, cancellationToken: cancellationToken)), cancellationToken);
    }

    /// <summary>
    /// The active sender bound to a <c>Header/From</c> identifier, or null, read now. Only a row the audit chain recorded
    /// counts (1311.215(a)(2)): a binding planted with SQL neither claims nor frees an identifier.
    /// </summary>
    public async Task<string?> BoundToAsync(string fromId, CancellationToken cancellationToken) =>
        (await ReadBindingsAsync(cancellationToken)).Holders.GetValueOrDefault(fromId);

    /// <summary>
    /// <see cref="BoundToAsync"/> for receipt, from the bindings as read at most <see cref="BindingsFreshFor"/> ago; a
    /// change made through this store is seen at once. Receipt asks for every message, and a read costs a connection.
    /// </summary>
    public async Task<string?> BoundToOnReceiptAsync(string fromId, CancellationToken cancellationToken)
    {
        var bindings = _bindings;
        if (!IsFresh(bindings))
        {
            // A read begun before this store's latest change may not have seen it: wait for one begun after.
            var changes = Interlocked.Read(ref _changes);
            do
            {
                bindings = await ReadOnceAsync().WaitAsync(cancellationToken);
            }
            while (bindings.Changes < changes);
        }
        return bindings!.Holders.GetValueOrDefault(fromId);
    }

    private bool IsFresh(Bindings? bindings) =>
        bindings is not null && bindings.Changes == Interlocked.Read(ref _changes) && time.GetElapsedTime(bindings.ReadAt) < BindingsFreshFor;

    /// <summary>The bindings read afresh, by one read shared by every caller that finds them stale meanwhile.</summary>
    private Task<Bindings> ReadOnceAsync()
    {
        lock (_gate)
        {
            // A caller that waited here while another read finished takes that read, not one of its own.
            if (_bindings is { } current && IsFresh(current))
            {
                return Task.FromResult(current);
            }
            if (_reading is { IsCompleted: false } reading)
            {
                return reading;
            }
            // Off the lock's thread: SQLite's async calls complete synchronously, and waiters must not queue behind the read.
            return _reading = Task.Run(KeepAsync);
        }

        async Task<Bindings> KeepAsync() => _bindings = await ReadBindingsAsync(CancellationToken.None);
    }

    private async Task<Bindings> ReadBindingsAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT sender_name AS SenderName, from_id AS FromId, client_cert_thumbprint AS ClientCertificateThumbprint, created_at AS CreatedAt, disabled_at AS DisabledAt
            FROM senders WHERE from_id IS NOT NULL AND disabled_at IS NULL
            ORDER BY sender_name
            """;
        // Taken before the read: a change committed while it runs marks what it returns stale.
        var changes = Interlocked.Read(ref _changes);
        var readAt = time.GetTimestamp();
        var holders = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var sender in await connection.QueryAsync<Sender>(new CommandDefinition(sql, cancellationToken: cancellationToken)))
        {
            if (!holders.ContainsKey(sender.FromId!) && await CoveredAsync(connection, sender, cancellationToken) is { } covered)
            {
                holders[covered.FromId!] = covered.SenderName;
            }
        }
        return new Bindings(holders, readAt, changes);
    }

    /// <summary>A change to the senders, audited; once it has committed (or failed), receipt reads the bindings again.</summary>
    private async Task<T> ChangeAsync<T>(
        Func<DbConnection, DbTransaction, Task<(T Result, IReadOnlyList<AuditEvent> Events, bool Commit)>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await database.AuditedAsync(work, cancellationToken);
        }
        finally
        {
            Interlocked.Increment(ref _changes);
        }
    }

    /// <summary>
    /// The sender only if its row is the one the audit chain recorded: a row re-enabled, re-keyed or inserted with plain
    /// SQL behind the service's back authenticates nobody (1311.215(a)(2); README, "Threat model").
    /// </summary>
    private static async Task<Sender?> CoveredAsync(DbConnection connection, Sender? sender, CancellationToken cancellationToken) =>
        sender is not null && await CoverageCheck.IsCoveredAsync(connection, null, CoveredTables.Find("senders")!, sender.SenderName, cancellationToken)
            ? sender
            : null;

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
