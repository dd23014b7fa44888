using PharmacyRx.Core.Access;
using PharmacyRx.Core.Audit;
using PharmacyRx.Storage.Access;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Access;

/// <summary>
/// The two-person rule (<see cref="TwoPersonRule"/>, after 21 CFR 1311.125), once for API, console and command line:
/// creating, granting (directly, through a role, or a mapped identity-provider value) or resetting an account with a
/// guarded permission waits for a second ManageAccess approver, who gets any one-time password. A grant of Dispense needs
/// the pharmacist-in-charge, where one is named; turning the rule off waits for approval too (<see cref="AccessPolicy"/>).
/// </summary>
public sealed class AccessApprovals(
    AccessStore access, UserAdministration users, AccessRequests requests, ClaimRoleMappings mappings, AccessPolicy policy, AuditLog audit,
    TimeProvider time) : IDisposable
{
    public const string CreateUser = "CreateUser";
    public const string GrantPermission = "GrantPermission";
    public const string AssignRole = "AssignRole";
    public const string GrantRolePermission = "GrantRolePermission";
    public const string ResetPassword = "ResetPassword";
    public const string MapClaim = "MapClaim";
    public const string NamePharmacistInCharge = "NamePharmacistInCharge";
    public const string TurnRuleOff = "TurnRuleOff";
    public const string EnableUser = "EnableUser";
    public const string RevokePermission = "RevokePermission";
    public const string RemoveRole = "RemoveRole";
    public const string RevokeRolePermission = "RevokeRolePermission";

    // One decision at a time in this service: a request is read undecided, the change made and the decision appended before
    // the next decision reads it, so two approvals sent at once make the change once (TwoPersonRuleAttackTests).
    private readonly SemaphoreSlim _deciding = new(1, 1);

    public void Dispose() => _deciding.Dispose();

    /// <summary>The actor prefix of the host's command line run without a named requester (its operating-system user).</summary>
    public const string CommandLineActorPrefix = "cli:";

    /// <summary>The environment variable a command-line requester's password is read from (never an argument: it would show in ps).</summary>
    public const string RequesterPasswordVariable = "PHARMACYRX_REQUESTER_PASSWORD";

    /// <summary>A change made, held for approval (<see cref="RequestId"/>), or refused; a one-time password when one was made.</summary>
    public sealed record Outcome(AccessResult Result, string? RequestId = null, string? Password = null, string? UserName = null, bool Conflict = false)
    {
        public bool Pending => RequestId is not null;
    }

    /// <summary>
    /// Whether the rule applies: it is on, and two or more accounts hold ManageAccess, disabled ones too (disabling the
    /// other approver does not lift the rule; enabling them again waits for approval, or break-glass).
    /// </summary>
    public async Task<bool> AppliesAsync(CancellationToken cancellationToken) =>
        !(await policy.ReadAsync(cancellationToken)).RuleOff && await EnoughApproversAsync(cancellationToken);

    public Task<AccessPolicy.State> PolicyAsync(CancellationToken cancellationToken) => policy.ReadAsync(cancellationToken);

    /// <summary>
    /// Names the pharmacist-in-charge (null or empty: none), whose approval a grant of Dispense then needs. They must be an
    /// active person holding Dispense and ManageAccess, so that they can approve at every door. Waits for a second person.
    /// </summary>
    public async Task<Outcome> NamePharmacistInChargeAsync(string? userName, string actor, bool breakGlass, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrWhiteSpace(userName) ? "" : UserNames.Normalize(userName);
        if (name.Length > 0 && await PharmacistInChargeProblemAsync(name, cancellationToken) is { } problem)
        {
            return new(AccessResult.Invalid(problem));
        }
        if (string.Equals((await policy.ReadAsync(cancellationToken)).PharmacistInCharge ?? "", name, StringComparison.OrdinalIgnoreCase))
        {
            return new(AccessResult.Unchanged);
        }
        var request = Request(NamePharmacistInCharge, name, actor);
        return await HoldAsync(request, breakGlass, cancellationToken) is { } held ? held : await MakeNameAsync(request, actor, cancellationToken);
    }

    /// <summary>Turns the two-person rule on (at once) or off (waits for a second person: it lifts the rule for every change after it).</summary>
    public async Task<Outcome> SetRuleAsync(bool on, string actor, bool breakGlass, CancellationToken cancellationToken)
    {
        var off = (await policy.ReadAsync(cancellationToken)).RuleOff;
        if (on != off)
        {
            return new(AccessResult.Unchanged);
        }
        if (on)
        {
            await audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.TwoPersonRuleTurnedOn, actor, AuditOutcome.Success, "two-person-rule",
                "the two-person rule turned on: access changes that let someone dispense wait for a second person again")], cancellationToken);
            return new(AccessResult.Changed);
        }
        var request = Request(TurnRuleOff, "", actor);
        return await HoldAsync(request, breakGlass, cancellationToken) is { } held ? held : await MakeRuleOffAsync(request, actor, cancellationToken);
    }

    private async Task<bool> EnoughApproversAsync(CancellationToken cancellationToken)
    {
        var approvers = 0;
        foreach (var user in await access.ListUsersAsync(cancellationToken))
        {
            if ((await access.PermissionsHeldAsync(user.UserName, cancellationToken)).Contains(Permission.ManageAccess) && ++approvers >= TwoPersonRule.Approvers)
            {
                return true;
            }
        }
        return false;
    }

    public async Task<Outcome> CreateAsync(string userName, string fullName, string initials, IReadOnlyList<string> roles, UserKind kind, string actor,
        bool breakGlass, CancellationToken cancellationToken)
    {
        var known = await RolesAsync(cancellationToken);
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
        var grants = (await RolesAsync(cancellationToken)).GetValueOrDefault(role);
        return grants is not null && TwoPersonRule.GuardsAny(grants.Permissions)
            && await HoldAsync(Request(AssignRole, userName, actor, role: grants.RoleName), breakGlass, cancellationToken) is { } held
                ? held
                : new(await access.AssignRoleAsync(UserNames.Normalize(userName), role, actor, cancellationToken));
    }

    public async Task<Outcome> ChangeRoleAsync(string role, Permission permission, bool grant, string actor, bool breakGlass, CancellationToken cancellationToken) =>
        !grant ? await RevokeRoleAsync(role, permission, actor, breakGlass, cancellationToken)
        : TwoPersonRule.Guards(permission)
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
        var grants = (await RolesAsync(cancellationToken)).GetValueOrDefault(role);
        return grants is not null && TwoPersonRule.GuardsAny(grants.Permissions)
            && await HoldAsync(Request(MapClaim, "", actor, role: grants.RoleName) with { ClaimValue = claimValue }, breakGlass, cancellationToken) is { } held
                ? held
                : new(await mappings.AddAsync(claimValue, role, actor, cancellationToken));
    }

    public async Task<Outcome> ResetPasswordAsync(string userName, string actor, bool breakGlass, CancellationToken cancellationToken)
    {
        var name = UserNames.Normalize(userName);
        if ((await access.PermissionsHeldAsync(name, cancellationToken)).Any(TwoPersonRule.Guards)
            && await HoldAsync(Request(ResetPassword, name, actor), breakGlass, cancellationToken) is { } held)
        {
            return held;
        }
        var reset = await users.ResetPasswordAsync(name, actor, cancellationToken);
        return new(reset.Result, Password: reset.Password, UserName: name);
    }

    /// <summary>Enables a disabled account; held when it holds a guarded permission (enabling gives them back).</summary>
    public async Task<Outcome> EnableAsync(string userName, string actor, bool breakGlass, CancellationToken cancellationToken)
    {
        var name = UserNames.Normalize(userName);
        return (await access.PermissionsHeldAsync(name, cancellationToken)).Any(TwoPersonRule.Guards)
            && await HoldAsync(Request(EnableUser, name, actor), breakGlass, cancellationToken) is { } held
                ? held
                : new(await access.EnableAsync(name, actor, cancellationToken));
    }

    /// <summary>Revokes a permission from a user; ManageAccess is held: one approver fewer would lift the rule.</summary>
    public async Task<Outcome> RevokeAsync(string userName, Permission permission, string actor, bool breakGlass, CancellationToken cancellationToken) =>
        permission == Permission.ManageAccess
        && await HoldAsync(Request(RevokePermission, userName, actor, permission: permission.ToString()), breakGlass, cancellationToken) is { } held
            ? held
            : new(await access.RevokeAsync(UserNames.Normalize(userName), permission, actor, cancellationToken));

    /// <summary>Removes a role from a user; held when the role grants ManageAccess.</summary>
    public async Task<Outcome> RemoveRoleAsync(string userName, string role, string actor, bool breakGlass, CancellationToken cancellationToken) =>
        await RoleGrantsAsync(role, Permission.ManageAccess, cancellationToken)
        && await HoldAsync(Request(RemoveRole, userName, actor, role: role), breakGlass, cancellationToken) is { } held
            ? held
            : new(await access.RemoveRoleAsync(UserNames.Normalize(userName), role, actor, cancellationToken));

    /// <summary>Revokes a permission from a role; ManageAccess is held.</summary>
    public async Task<Outcome> RevokeRoleAsync(string role, Permission permission, string actor, bool breakGlass, CancellationToken cancellationToken) =>
        permission == Permission.ManageAccess
        && await HoldAsync(Request(RevokeRolePermission, "", actor, permission: permission.ToString(), role: role), breakGlass, cancellationToken) is { } held
            ? held
            : new(await access.ChangeRoleAsync(role, permission, grant: false, actor, cancellationToken));

    private async Task<bool> RoleGrantsAsync(string role, Permission permission, CancellationToken cancellationToken) =>
        Grants(await RolesAsync(cancellationToken), role, permission);

    // The roles by name (names compare ignoring case, as the store's do).
    private async Task<Dictionary<string, AccessStore.RoleView>> RolesAsync(CancellationToken cancellationToken) =>
        (await access.ListRolesAsync(cancellationToken)).ToDictionary(r => r.RoleName, r => r, StringComparer.OrdinalIgnoreCase);

    private static bool Grants(Dictionary<string, AccessStore.RoleView> roles, string? role, Permission permission) =>
        role is not null && roles.TryGetValue(role, out var found) && found.Permissions.Contains(permission.ToString());

    /// <summary>
    /// Approves a pending request as <paramref name="approver"/> (a person with ManageAccess, not the requester) and makes
    /// the change; a one-time password it makes is returned to the approver alone.
    /// </summary>
    public Task<Outcome> ApproveAsync(string id, string approver, CancellationToken cancellationToken) =>
        OneAtATimeAsync(() => DecideApprovalAsync(id, approver, cancellationToken), cancellationToken);

    private async Task<Outcome> DecideApprovalAsync(string id, string approver, CancellationToken cancellationToken)
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
            NamePharmacistInCharge => await MakeNameAsync(request, actor, cancellationToken),
            TurnRuleOff => await MakeRuleOffAsync(request, actor, cancellationToken),
            EnableUser => new(await access.EnableAsync(request.UserName, actor, cancellationToken)),
            RevokePermission => new(await access.RevokeAsync(request.UserName, Enum.Parse<Permission>(request.Permission!), actor, cancellationToken)),
            RemoveRole => new(await access.RemoveRoleAsync(request.UserName, request.Role!, actor, cancellationToken)),
            RevokeRolePermission => new(await access.ChangeRoleAsync(request.Role!, Enum.Parse<Permission>(request.Permission!), grant: false, actor, cancellationToken)),
            _ => new Outcome(new AccessResult(AccessOutcome.Invalid, $"unknown request kind {request.Kind}")),
        };
        await audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.AccessChangeApproved, approver,
            made.Result.Outcome is AccessOutcome.Changed or AccessOutcome.Unchanged ? AuditOutcome.Success : AuditOutcome.Failure, request.Target,
            $"{Describe(request)}; requested by {request.RequestedBy}; approved by {approver}; result={made.Result.Outcome}"
            + (made.Password is not null ? "; one-time password given to the approver" : ""))], cancellationToken);
        return made with { RequestId = null };
    }

    /// <summary>Refuses a pending request (or the requester withdraws it): nothing changes.</summary>
    public Task<AccessResult> RefuseAsync(string id, string decider, CancellationToken cancellationToken) =>
        OneAtATimeAsync(() => DecideRefusalAsync(id, decider, cancellationToken), cancellationToken);

    private async Task<T> OneAtATimeAsync<T>(Func<Task<T>> decide, CancellationToken cancellationToken)
    {
        await _deciding.WaitAsync(cancellationToken);
        try
        {
            return await decide();
        }
        finally
        {
            _deciding.Release();
        }
    }

    private async Task<AccessResult> DecideRefusalAsync(string id, string decider, CancellationToken cancellationToken)
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
        if ((await policy.ReadAsync(cancellationToken)).RuleOff)
        {
            await audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.AccessChangeUnapproved, request.RequestedBy, AuditOutcome.Success, request.Target,
                $"{Describe(request)}; made at once while the two-person rule is off: review it")], cancellationToken);
            return null;
        }
        if (!await EnoughApproversAsync(cancellationToken))
        {
            return null;
        }
        // A request names the person who asked, so that nobody approves their own: the command line's operating-system user
        // is no such person (the same administrator could approve it over the API), so it asks as one, or breaks glass.
        if (request.RequestedBy.StartsWith(CommandLineActorPrefix, StringComparison.Ordinal))
        {
            return new(AccessResult.Refused(
                $"{Describe(request)} waits for a second person, and a request must name who asks: give --requester NAME (their password in "
                + $"{RequesterPasswordVariable}), or make it at once with --break-glass (audited)"));
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
        && await PharmacistInChargeMissingAsync(standing.Request, approver, cancellationToken) is null
            ? standing.Request
            : null;

    /// <summary>
    /// The pharmacist-in-charge whose approval this request lacks: a grant of Dispense, naming another (or none) or turning
    /// the rule off, where one is named, asked for and approved by others. Their own request is their approval; a second
    /// person still approves it.
    /// </summary>
    private async Task<string?> PharmacistInChargeMissingAsync(AccessRequests.Request request, string approver, CancellationToken cancellationToken) =>
        (await policy.ReadAsync(cancellationToken)).PharmacistInCharge is { } named
        && !string.Equals(request.RequestedBy, named, StringComparison.OrdinalIgnoreCase)
        && !string.Equals(UserNames.Normalize(approver), named, StringComparison.OrdinalIgnoreCase)
        && (request.Kind is NamePharmacistInCharge or TurnRuleOff || await GrantsDispenseAsync(request, cancellationToken))
            ? named
            : null;

    private async Task<bool> GrantsDispenseAsync(AccessRequests.Request request, CancellationToken cancellationToken)
    {
        var roles = await RolesAsync(cancellationToken);
        return request.Kind switch
        {
            CreateUser => (request.Roles ?? []).Any(role => Grants(roles, role, Permission.Dispense)),
            GrantPermission or GrantRolePermission => request.Permission == nameof(Permission.Dispense),
            AssignRole or MapClaim => Grants(roles, request.Role, Permission.Dispense),
            _ => false,
        };
    }

    private async Task<string?> PharmacistInChargeProblemAsync(string name, CancellationToken cancellationToken)
    {
        var user = (await access.ListUsersAsync(cancellationToken)).FirstOrDefault(u => string.Equals(u.UserName, name, StringComparison.OrdinalIgnoreCase));
        var permissions = user is null ? new HashSet<Permission>() : await access.PermissionsAsync(user.UserName, cancellationToken);
        return user is null ? $"no user {name}"
            : user.Status != "Active" || user.Kind != nameof(UserKind.Person) ? $"{name} is not an active person's account"
            : !permissions.Contains(Permission.Dispense) || !permissions.Contains(Permission.ManageAccess)
                ? $"{name} must hold Dispense and ManageAccess to be pharmacist-in-charge (so that they can approve)"
            : null;
    }

    private async Task<Outcome> MakeNameAsync(AccessRequests.Request request, string actor, CancellationToken cancellationToken)
    {
        if (request.UserName.Length > 0 && await PharmacistInChargeProblemAsync(request.UserName, cancellationToken) is { } problem)
        {
            return new(AccessResult.Invalid(problem));
        }
        await audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.PharmacistInChargeNamed, actor, AuditOutcome.Success,
            AccessPolicy.PharmacistInChargeTarget + request.UserName,
            request.UserName.Length > 0 ? $"{request.UserName} named pharmacist-in-charge: a grant of Dispense needs their approval" : "no pharmacist-in-charge named")],
            cancellationToken);
        return new(AccessResult.Changed, UserName: request.UserName);
    }

    private async Task<Outcome> MakeRuleOffAsync(AccessRequests.Request request, string actor, CancellationToken cancellationToken)
    {
        // An older request approved while the rule is off already changes nothing (and keeps the moment it went off).
        if ((await policy.ReadAsync(cancellationToken)).RuleOff)
        {
            return new(AccessResult.Unchanged);
        }
        await audit.AppendAsync([new AuditEvent(time.GetUtcNow(), AuditEventTypes.TwoPersonRuleTurnedOff, actor, AuditOutcome.Success, "two-person-rule",
            $"the two-person rule turned off (request {request.Id}): access changes are made at once, each listed for review")], cancellationToken);
        return new(AccessResult.Changed);
    }

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
            : decision == AuditEventTypes.AccessChangeApproved && await PharmacistInChargeMissingAsync(standing.Request, decider, cancellationToken) is { } named
                ? $"this change needs the pharmacist-in-charge's approval: {named} must approve it"
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
        NamePharmacistInCharge => request.UserName.Length > 0 ? $"name {request.UserName} pharmacist-in-charge" : "name no pharmacist-in-charge",
        TurnRuleOff => "turn the two-person rule off",
        EnableUser => $"enable {request.UserName}",
        RevokePermission => $"revoke {request.Permission} from {request.UserName}",
        RemoveRole => $"remove role {request.Role} from {request.UserName}",
        RevokeRolePermission => $"revoke {request.Permission} from role {request.Role}",
        _ => request.Kind,
    };
}
