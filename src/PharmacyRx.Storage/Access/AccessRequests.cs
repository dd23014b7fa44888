using System.Text.Json;
using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Audit;
using PharmacyRx.Storage.Integrity;

namespace PharmacyRx.Storage.Access;

/// <summary>
/// Access changes held for a second person (<see cref="Core.Access.TwoPersonRule"/>): an <c>AccessChangeRequested</c>
/// event carries one whole; one <c>AccessChangeApproved</c> or <c>AccessChangeRefused</c> decides it. Only the trail
/// holds them and only events under the chain's MAC count (1311.215(a)(2)): a request planted in the file is none.
/// </summary>
public sealed class AccessRequests(Database database)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>One requested change: what, to whom (a user, or an identity provider's claim value), and who asked.</summary>
    public sealed record Request(
        string Id, string Kind, string UserName, string? Permission, string? Role, string? FullName, string? Initials, string[]? Roles, string? UserKind,
        string RequestedBy, DateTimeOffset RequestedAt, string? ClaimValue = null)
    {
        public string Target => $"access-request:{Id}";
    }

    /// <summary>A request with its decision, if any.</summary>
    public sealed record Standing(Request Request, string? Decision, string? DecidedBy);

    public static string Details(Request request) => JsonSerializer.Serialize(request, Json);

    /// <summary>The request and its decision, or null when the trail holds no such request written by the service.</summary>
    public async Task<Standing?> FindAsync(string id, CancellationToken cancellationToken)
    {
        // The event_type term is the partial index's WHERE, word for word (0041_index_access_requests.sql).
        const string sql = """
            SELECT sequence, occurred_at, event_type, actor, outcome, target, details, previous_hash, hash, mac
            FROM audit_events
            WHERE event_type IN ('AccessChangeRequested', 'AccessChangeApproved', 'AccessChangeRefused') AND target = @Target
            ORDER BY sequence
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        Request? request = null;
        string? decision = null, decidedBy = null;
        foreach (var stored in (await connection.QueryAsync<AuditLog.AuditRow>(new CommandDefinition(sql, new { Target = $"access-request:{id}" },
            cancellationToken: cancellationToken))).Select(r => r.ToChained()))
        {
            if (AuditChain.Hash(stored.Sequence, stored.Event, stored.PreviousHash) != stored.Hash || !await CoverageCheck.WrittenByServiceAsync(connection, null, stored))
            {
                continue;
            }
            if (stored.Event.Type == AuditEventTypes.AccessChangeRequested)
            {
                request ??= JsonSerializer.Deserialize<Request>(stored.Event.Details, Json);
            }
            else if (request is not null && decision is null)
            {
                (decision, decidedBy) = (stored.Event.Type, stored.Event.Actor);
            }
        }
        return request is null ? null : new Standing(request, decision, decidedBy);
    }

    /// <summary>The requests not yet decided, oldest first.</summary>
    public async Task<IReadOnlyList<Request>> PendingAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT target FROM audit_events
            WHERE event_type IN ('AccessChangeRequested', 'AccessChangeApproved', 'AccessChangeRefused')
            GROUP BY target HAVING COUNT(*) = 1
            """;
        IReadOnlyList<string> targets;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            targets = (await connection.QueryAsync<string>(new CommandDefinition(sql, cancellationToken: cancellationToken))).AsList();
        }
        var pending = new List<Request>();
        foreach (var target in targets)
        {
            if (await FindAsync(target["access-request:".Length..], cancellationToken) is { Decision: null } standing)
            {
                pending.Add(standing.Request);
            }
        }
        return [.. pending.OrderBy(r => r.RequestedAt)];
    }
}
