using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Access;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Access;

/// <summary>
/// The two-person rule (<see cref="TwoPersonRule"/>, after 21 CFR 1311.125), once for API, console and command line:
/// creating, granting (directly, through a role, or a mapped identity-provider value) or resetting an account with a
/// guarded permission waits for a second ManageAccess approver, who gets any one-time password.
/// </summary>
public sealed class AccessApprovals(
    AccessStore access, UserAdministration users, AccessRequests requests, ClaimRoleMappings mappings, AuditLog audit, TimeProvider time)
{
    public const string CreateUser = "CreateUser";
    public const string GrantPermission = "GrantPermission";
    public const string AssignRole = "AssignRole";
    public const string GrantRolePermission = "GrantRolePermission";
    public const string ResetPassword = "ResetPassword";
    public const string MapClaim = "MapClaim";

    /// <summary>A change made, held for approval (<see cref="RequestId"/>), or refused; a one-time password when one was made.</summary>
    public sealed record Outcome(AccessResult Result, string? RequestId = null, string? Password = null, string? UserName = null, bool Conflict = false)
    {
        public bool Pending => RequestId is not null;
    }

    /// <summary>Whether the rule applies: two or more active people hold ManageAccess.</summary>
    public async Task<bool> AppliesAsync(CancellationToken cancellationToken)
    {
        var approvers = 0;
        foreach (var user in await access.ListUsersAsync(cancellationToken))
        {
            if (await HoldsManageAccessAsync(user.UserName, cancellationToken) && ++approvers >= TwoPersonRule.Approvers)
            {
                return true;
            }
        }
        return false;
    }

    public async Task<Outcome> CreateAsync(string userName, string fullName, string initials, IReadOnlyList<string> roles, UserKind kind, string actor,
        bool breakGlass, CancellationToken cancellationToken)
    {
        var known = (await access.ListRolesAsync(cancellationToken)).ToDictionary(r => r.RoleName, r => r, StringComparer.OrdinalIgnoreCase);
        var guarded = roles.Any(role => known.TryGetValue(role, out var r) && TwoPersonRule.GuardsAny(r.Permissions));
        var request = new AccessRequests.Request(NewId(), CreateUser, UserNames.Normalize(userName), null, null, fullName, initials, [.. roles], kind.ToString(),
            actor, time.GetUtcNow());
        if (guarded && await HoldAsync(request, breakGlass, cancellationToken) is { } held)
        {
            return held;
        }
        var created = await users.CreateAsync(userName, fullName, initials, roles, kind, actor, cancellationToken);
        return created.Succeeded
            ? new(AccessResult.Changed, Password: created.Password, UserName: created.UserName)
            : new(new AccessResult(AccessOutcome.Invalid, created.Problem), UserName: created.UserName, Conflict: created.Conflict);
    }

    public async Task<Outcome> GrantAsync(string userName, Permission permission, string actor, bool breakGlass, CancellationToken cancellationToken) =>
        TwoPersonRule.Guards(permission)
        && await HoldAsync(Request(GrantPermission, userName, actor, permission: permission.ToString()), breakGlass, cancellationToken) is { } held
            ? held
            : new(await access.GrantAsync(UserNames.Normalize(userName), permission, actor, cancellationToken));

    public async Task<Outcome> AssignRoleAsync(string userName, string role, string actor, bool breakGlass, CancellationToken cancellationToken)
    {
        var grants = (await access.ListRolesAsync(cancellationToken)).FirstOrDefault(r => string.Equals(r.RoleName, role, StringComparison.OrdinalIgnoreCase));
        return grants is not null && TwoPersonRule.GuardsAny(grants.Permissions)
            && await HoldAsync(Request(AssignRole, userName, actor, role: grants.RoleName), breakGlass, cancellationToken) is { } held
                ? held
                : new(await access.AssignRoleAsync(UserNames.Normalize(userName), role, actor, cancellationToken));
    }

    public async Task<Outcome> ChangeRoleAsync(string role, Permission permission, bool grant, string actor, bool breakGlass, CancellationToken cancellationToken) =>
        grant && TwoPersonRule.Guards(permission)
        && await HoldAsync(Request(GrantRolePermission, "", actor, permission: permission.ToString(), role: role), breakGlass, cancellationToken) is { } held
            ? held
            : new(await access.ChangeRoleAsync(role, permission, grant, actor, cancellationToken));

    /// <summary>Maps an identity provider's group or app-role value to a role; held for approval when the role grants a guarded permission.</summary>
    public async Task<Outcome> MapClaimAsync(string claimValue, string role, string actor, bool breakGlass, CancellationToken cancellationToken)
    {
        if (ClaimRoleMappings.Problem(claimValue) is { } problem)
        {
            return new(AccessResult.Invalid(problem));
        }
        var grants = (await access.ListRolesAsync(cancellationToken)).FirstOrDefault(r => string.Equals(r.RoleName, role, StringComparison.OrdinalIgnoreCase));
        return grants is not null && TwoPersonRule.GuardsAny(grants.Permissions)
            && await HoldAsync(Request(MapClaim, "", actor, role: grants.RoleName) with { ClaimValue = claimValue }, breakGlass, cancellationToken) is { } held
                ? held
                : new(await mappings.AddAsync(claimValue, role, actor, cancellationToken));
    }

    public async Task<Outcome> ResetPasswordAsync(string userName, string actor, bool breakGlass, CancellationToken cancellationToken)
    {
        var name = UserNames.Normalize(userName);
        if ((await access.PermissionsAsync(name, cancellationToken)).Any(TwoPersonRule.Guards)
            && await HoldAsync(Request(ResetPassword, name, actor), breakGlass, cancellationToken) is { } held)
        {
            return held;
        }
        var reset = await users.ResetPasswordAsync(name, actor, cancellationToken);
        return new(reset.Result, Password: reset.Password, UserName: name);
    }

    /// <summary>
    /// Approves a pending request as <paramref name="approver"/> (a person with ManageAccess, not the requester) and makes
    /// the change; a one-time password it makes is returned to the approver alone.
    /// </summary>
    public async Task<Outcome> ApproveAsync(string id, string approver, CancellationToken cancellationToken)
    {
        if (await DecidableAsync(id, approver, AuditEventTypes.AccessChangeApproved, cancellationToken) is not { } request)
        {
            return new(await RefusalAsync(id, approver, AuditEventTypes.AccessChangeApproved, cancellationToken));
        }
        // Made as the requester's change (the store's own rules, "nobody changes their own access" among them, apply to
        // them, and "created by" stays theirs for SelfGrantWatch); the approval event names the approver.
        var actor = request.RequestedBy;
        var made = request.Kind switch
        {
            CreateUser => await MakeCreateAsync(request, actor, cancellationToken),
            GrantPermission => new(await access.GrantAsync(request.UserName, Enum.Parse<Permission>(request.Permission!), actor, cancellationToken)),
            AssignRole => new(await access.AssignRoleAsync(request.UserName, request.Role!, actor, cancellationToken)),
            GrantRolePermission => new(await access.ChangeRoleAsync(request.Role!, Enum.Parse<Permission>(request.Permission!), grant: true, actor, cancellationToken)),
            ResetPassword => await MakeResetAsync(request, actor, cancellationToken),
            MapClaim => new(await mappings.AddAsync(request.ClaimValue ?? "", request.Role!, actor, cancellationToken)),
            _ => new Outcome(new AccessResult(AccessOutcome.Invalid, $"unknown request kind {request.Kind}")),
        };
        await audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.AccessChangeApproved, approver,
            made.Result.Outcome is AccessOutcome.Changed or AccessOutcome.Unchanged ? AuditOutcome.Success : AuditOutcome.Failure, request.Target,
            $"{Describe(request)}; requested by {request.RequestedBy}; approved by {approver}; result={made.Result.Outcome}"
            + (made.Password is not null ? "; one-time password given to the approver" : ""))], cancellationToken);
        return made with { RequestId = null };
    }

    /// <summary>Refuses a pending request (or the requester withdraws it): nothing changes.</summary>
    public async Task<AccessResult> RefuseAsync(string id, string decider, CancellationToken cancellationToken)
    {
        var standing = await requests.FindAsync(id, cancellationToken);
        if (standing is not { Decision: null } || !await HoldsManageAccessAsync(decider, cancellationToken))
        {
            return await RefusalAsync(id, decider, AuditEventTypes.AccessChangeRefused, cancellationToken);
        }
        await audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.AccessChangeRefused, decider, AuditOutcome.Success, standing.Request.Target,
            $"{Describe(standing.Request)}; requested by {standing.Request.RequestedBy}; refused by {decider}; nothing changed")], cancellationToken);
        return AccessResult.Changed;
    }

    public Task<IReadOnlyList<AccessRequests.Request>> PendingAsync(CancellationToken cancellationToken) => requests.PendingAsync(cancellationToken);

    /// <summary>Holds the request when the rule applies (audited; the change waits), or records a break-glass change made at once; null: make it now.</summary>
    private async Task<Outcome?> HoldAsync(AccessRequests.Request request, bool breakGlass, CancellationToken cancellationToken)
    {
        if (breakGlass)
        {
            await audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.AccessBreakGlass, request.RequestedBy, AuditOutcome.Success, request.Target,
                $"{Describe(request)}; made at once on the host's command line with the key password, past the two-person rule: review it")], cancellationToken);
            return null;
        }
        if (!await AppliesAsync(cancellationToken))
        {
            return null;
        }
        await audit.AppendAsync([new AuditEvent(request.RequestedAt, AuditEventTypes.AccessChangeRequested, request.RequestedBy, AuditOutcome.Success, request.Target,
            AccessRequests.Details(request))], cancellationToken);
        return new(new AccessResult(AccessOutcome.Pending,
            $"{Describe(request)} waits for a second person with ManageAccess to approve request {request.Id} (two-person rule)"), request.Id, UserName: request.UserName);
    }

    private async Task<AccessRequests.Request?> DecidableAsync(string id, string approver, string decision, CancellationToken cancellationToken) =>
        await requests.FindAsync(id, cancellationToken) is { Decision: null } standing
        && !string.Equals(standing.Request.RequestedBy, approver, StringComparison.OrdinalIgnoreCase)
        && !await BenefitsAsync(standing.Request, approver, cancellationToken)
        && await HoldsManageAccessAsync(approver, cancellationToken)
            ? standing.Request
            : null;

    /// <summary>Whether the change would give the approver rights (to them, or to a role they hold): they may not approve it.</summary>
    private async Task<bool> BenefitsAsync(AccessRequests.Request request, string approver, CancellationToken cancellationToken) =>
        string.Equals(request.UserName, UserNames.Normalize(approver), StringComparison.OrdinalIgnoreCase)
        || (request.Kind == MapClaim && await mappings.PresentedByAsync(approver, request.ClaimValue ?? "", cancellationToken))
        || (request.Kind == GrantRolePermission && (await access.ListUsersAsync(cancellationToken)).Any(u =>
            string.Equals(u.UserName, approver, StringComparison.OrdinalIgnoreCase) && u.Roles.Contains(request.Role ?? "", StringComparer.OrdinalIgnoreCase)));

    // Permissions by name and through roles; none for a disabled user. A service account cannot hold ManageAccess.
    private async Task<bool> HoldsManageAccessAsync(string userName, CancellationToken cancellationToken) =>
        (await access.PermissionsAsync(UserNames.Normalize(userName), cancellationToken)).Contains(Permission.ManageAccess);

    /// <summary>Why a decision was refused, audited as an attempted unauthorized modification (1311.215(a)(2)).</summary>
    private async Task<AccessResult> RefusalAsync(string id, string decider, string decision, CancellationToken cancellationToken)
    {
        var standing = await requests.FindAsync(id, cancellationToken);
        var why = standing is null ? $"no access request {id}"
            : standing.Decision is not null ? $"access request {id} was decided already"
            : string.Equals(standing.Request.RequestedBy, decider, StringComparison.OrdinalIgnoreCase) && decision == AuditEventTypes.AccessChangeApproved
                ? "the requester may not approve their own request: a second person must"
            : decision == AuditEventTypes.AccessChangeApproved && await BenefitsAsync(standing.Request, decider, cancellationToken)
                ? "the change would give the approver rights: someone else must approve it"
            : $"{decider} does not hold ManageAccess";
        if (standing is null)
        {
            return AccessResult.NotFound(why);
        }
        await audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.UnauthorizedModificationAttempt, decider, AuditOutcome.Failure,
            standing.Request.Target, $"function={decision}; {Describe(standing.Request)}; refused: {why}")], cancellationToken);
        return AccessResult.Refused(why);
    }

    private async Task<Outcome> MakeCreateAsync(AccessRequests.Request request, string actor, CancellationToken cancellationToken)
    {
        var created = await users.CreateAsync(request.UserName, request.FullName ?? "", request.Initials ?? "", request.Roles ?? [],
            Enum.Parse<UserKind>(request.UserKind ?? nameof(UserKind.Person)), actor, cancellationToken);
        return created.Succeeded
            ? new(AccessResult.Changed, Password: created.Password, UserName: created.UserName)
            : new(new AccessResult(AccessOutcome.Invalid, created.Problem), UserName: created.UserName, Conflict: created.Conflict);
    }

    private async Task<Outcome> MakeResetAsync(AccessRequests.Request request, string actor, CancellationToken cancellationToken)
    {
        var reset = await users.ResetPasswordAsync(request.UserName, actor, cancellationToken);
        return new(reset.Result, Password: reset.Password, UserName: request.UserName);
    }

    private AccessRequests.Request Request(string kind, string userName, string actor, string? permission = null, string? role = null) =>
        new(NewId(), kind, UserNames.Normalize(userName), permission, role, null, null, null, null, actor, time.GetUtcNow());

    private static string NewId() => Guid.NewGuid().ToString("N")[..12];

    private static string Describe(AccessRequests.Request request) => request.Kind switch
    {
        CreateUser => $"create user {request.UserName} with roles {string.Join(',', request.Roles ?? [])}",
        GrantPermission => $"grant {request.Permission} to {request.UserName}",
        AssignRole => $"assign role {request.Role} to {request.UserName}",
        GrantRolePermission => $"grant {request.Permission} to role {request.Role}",
        ResetPassword => $"reset the password of {request.UserName}",
        MapClaim => $"map identity provider value {request.ClaimValue} to role {request.Role}",
        _ => request.Kind,
    };
}
