using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Access;
using PharmacyRx.Storage.Access;

namespace PharmacyRx.Host.Api;

/// <summary>
/// Setting access controls (1311.205(b)(2)): users, roles, grants and API keys, all behind <see cref="Permission.ManageAccess"/>,
/// each change audited with before and after; nobody changes their own access, and nobody acts as someone else (API
/// keys only for oneself or a service account, passwords set by an administrator are one-time).
/// </summary>
public static class AccessApi
{
    /// <summary>A new user; <see cref="Service"/> makes a service account (API keys only, no pharmacist or access rights).</summary>
    public sealed record NewUserRequest(string UserName, string FullName, string Initials, string[]? Roles, bool Service = false);

    /// <summary>The new user and their one-time password (null for a service account, which signs in by API key only).</summary>
    public sealed record NewUserResponse(string UserName, string? Password);

    public sealed record ApiKeyRequest(string Label);

    public sealed record ApiKeyResponse(string UserName, string Label, string ApiKey);

    public static IEndpointRouteBuilder MapAccessApi(this IEndpointRouteBuilder app)
    {
        var access = app.MapGroup("/api").WithTags("Access control").RequirePermission(Permission.ManageAccess);
        access.MapGet("/users", async (AccessStore store, CancellationToken ct) => TypedResults.Ok(await store.ListUsersAsync(ct))).WithName("ListUsers");
        access.MapPost("/users", CreateUserAsync).WithName("CreateUser");
        access.MapPost("/users/{userName}/disable", (string userName, HttpContext context, AccessStore store, CancellationToken ct) =>
            Answer(store.DisableAsync(UserNames.Normalize(userName), context.UserName(), ct))).WithName("DisableUser");
        access.MapPost("/users/{userName}/enable", (string userName, HttpContext context, AccessApprovals approvals, CancellationToken ct) =>
            Held(approvals.EnableAsync(userName, context.UserName(), breakGlass: false, ct))).WithName("EnableUser");
        access.MapPost("/users/{userName}/password", ResetPasswordAsync).WithName("ResetPassword");
        access.MapPut("/users/{userName}/permissions/{permission}", (string userName, string permission, HttpContext context, AccessApprovals approvals, CancellationToken ct) =>
            WithPermission(permission, async p => (await approvals.GrantAsync(userName, p, context.UserName(), breakGlass: false, ct)).Result)).WithName("GrantPermission");
        access.MapDelete("/users/{userName}/permissions/{permission}", (string userName, string permission, HttpContext context, AccessApprovals approvals, CancellationToken ct) =>
            WithPermission(permission, async p => (await approvals.RevokeAsync(userName, p, context.UserName(), breakGlass: false, ct)).Result)).WithName("RevokePermission");
        access.MapPut("/users/{userName}/roles/{role}", async (string userName, string role, HttpContext context, AccessApprovals approvals, CancellationToken ct) =>
            await Answer(Task.FromResult((await approvals.AssignRoleAsync(userName, role, context.UserName(), breakGlass: false, ct)).Result))).WithName("AssignRole");
        access.MapDelete("/users/{userName}/roles/{role}", (string userName, string role, HttpContext context, AccessApprovals approvals, CancellationToken ct) =>
            Held(approvals.RemoveRoleAsync(userName, role, context.UserName(), breakGlass: false, ct))).WithName("RemoveRole");
        access.MapPost("/users/{userName}/api-keys", CreateApiKeyAsync).WithName("CreateApiKey");
        access.MapGet("/roles", async (AccessStore store, CancellationToken ct) => TypedResults.Ok(await store.ListRolesAsync(ct))).WithName("ListRoles");
        access.MapPut("/roles/{role}/permissions/{permission}", (string role, string permission, HttpContext context, AccessApprovals approvals, CancellationToken ct) =>
            WithPermission(permission, async p => (await approvals.ChangeRoleAsync(role, p, grant: true, context.UserName(), breakGlass: false, ct)).Result)).WithName("GrantRolePermission");
        access.MapGet("/access-requests", async (AccessApprovals approvals, CancellationToken ct) => TypedResults.Ok(await approvals.PendingAsync(ct)))
            .WithName("ListAccessRequests");
        access.MapPost("/access-requests/{id}/approve", ApproveAsync).WithName("ApproveAccessRequest");
        access.MapPost("/access-requests/{id}/refuse", (string id, HttpContext context, AccessApprovals approvals, CancellationToken ct) =>
            Answer(approvals.RefuseAsync(id, context.UserName(), ct))).WithName("RefuseAccessRequest");
        access.MapGet("/access-policy", async (AccessApprovals approvals, CancellationToken ct) =>
        {
            var state = await approvals.PolicyAsync(ct);
            return TypedResults.Ok(new AccessPolicyResponse(state.RuleOff ? "off" : "on", await approvals.AppliesAsync(ct), state.PharmacistInCharge));
        }).WithName("GetAccessPolicy");
        access.MapPut("/access-policy/pharmacist-in-charge", (PharmacistInChargeRequest request, HttpContext context, AccessApprovals approvals, CancellationToken ct) =>
            request.UserName is null
                ? Task.FromResult<Results<NoContent, Accepted<PendingResponse>, NotFound<ProblemDetails>, ProblemHttpResult>>(
                    TypedResults.Problem(statusCode: 400, title: "Bad request", detail: "give userName: the pharmacist-in-charge's user name, or \"\" to name nobody"))
                : Held(approvals.NamePharmacistInChargeAsync(request.UserName, context.UserName(), breakGlass: false, ct))).WithName("NamePharmacistInCharge");
        access.MapPut("/access-policy/two-person-rule", (TwoPersonRuleRequest request, HttpContext context, AccessApprovals approvals, CancellationToken ct) =>
            request.On is not { } on
                ? Task.FromResult<Results<NoContent, Accepted<PendingResponse>, NotFound<ProblemDetails>, ProblemHttpResult>>(
                    TypedResults.Problem(statusCode: 400, title: "Bad request", detail: "give on: true turns the rule on, false asks to turn it off"))
                : Held(approvals.SetRuleAsync(on, context.UserName(), breakGlass: false, ct))).WithName("SetTwoPersonRule");
        access.MapDelete("/roles/{role}/permissions/{permission}", (string role, string permission, HttpContext context, AccessApprovals approvals, CancellationToken ct) =>
            WithPermission(permission, async p => (await approvals.RevokeRoleAsync(role, p, context.UserName(), breakGlass: false, ct)).Result)).WithName("RevokeRolePermission");
        return app;
    }

    /// <summary>The two-person rule ("on" or "off"), whether it applies now (two people can approve), and the pharmacist-in-charge.</summary>
    public sealed record AccessPolicyResponse(string TwoPersonRule, bool Applies, string? PharmacistInCharge);

    /// <summary>The pharmacist-in-charge to name; empty names nobody (required: a body without it is refused).</summary>
    public sealed record PharmacistInChargeRequest(string? UserName);

    /// <summary>True turns the rule on at once; false asks to turn it off (a second person approves); required.</summary>
    public sealed record TwoPersonRuleRequest(bool? On);

    private static async Task<Results<NoContent, Accepted<PendingResponse>, NotFound<ProblemDetails>, ProblemHttpResult>> Held(Task<AccessApprovals.Outcome> change)
    {
        var outcome = await change;
        return outcome.RequestId is { } id
            ? TypedResults.Accepted($"/api/access-requests/{id}", new PendingResponse(id, outcome.Result.Message))
            : await Answer(Task.FromResult(outcome.Result));
    }

    /// <summary>A change held for a second person's approval (the two-person rule): 202 with the request to approve.</summary>
    public sealed record PendingResponse(string RequestId, string Detail);

    private static async Task<Results<Created<NewUserResponse>, Accepted<PendingResponse>, ProblemHttpResult>> CreateUserAsync(
        NewUserRequest request, HttpContext context, AccessApprovals approvals, CancellationToken cancellationToken)
    {
        var created = await approvals.CreateAsync(request.UserName ?? "", request.FullName ?? "", request.Initials ?? "", request.Roles ?? [],
            request.Service ? UserKind.Service : UserKind.Person, context.UserName(), breakGlass: false, cancellationToken);
        return created.RequestId is { } id ? TypedResults.Accepted($"/api/access-requests/{id}", new PendingResponse(id, created.Result.Message))
            : created.Result.Outcome == AccessOutcome.Changed
                ? TypedResults.Created($"/api/users/{created.UserName}", new NewUserResponse(created.UserName!, created.Password))
                : TypedResults.Problem(statusCode: created.Conflict ? 409 : 400, title: "User not created", detail: created.Result.Message);
    }

    private static async Task<Results<Ok<NewUserResponse>, Accepted<PendingResponse>, NotFound<ProblemDetails>, ProblemHttpResult>> ResetPasswordAsync(
        string userName, HttpContext context, AccessApprovals approvals, CancellationToken cancellationToken)
    {
        var reset = await approvals.ResetPasswordAsync(userName, context.UserName(), breakGlass: false, cancellationToken);
        return reset.RequestId is { } id ? TypedResults.Accepted($"/api/access-requests/{id}", new PendingResponse(id, reset.Result.Message))
            : reset.Password is { } password ? TypedResults.Ok(new NewUserResponse(UserNames.Normalize(userName), password))
            : reset.Result.Outcome == AccessOutcome.NotFound ? NotFound(reset.Result)
            : Problem(reset.Result);
    }

    /// <summary>Approves a request as the signed-in administrator; a one-time password it makes is the approver's to hand over.</summary>
    private static async Task<Results<Ok<NewUserResponse>, NoContent, NotFound<ProblemDetails>, ProblemHttpResult>> ApproveAsync(
        string id, HttpContext context, AccessApprovals approvals, CancellationToken cancellationToken)
    {
        var approved = await approvals.ApproveAsync(id, context.UserName(), cancellationToken);
        return approved.Result.Outcome switch
        {
            AccessOutcome.Changed or AccessOutcome.Unchanged => approved.Password is { } password
                ? TypedResults.Ok(new NewUserResponse(approved.UserName!, password))
                : TypedResults.NoContent(),
            AccessOutcome.NotFound => NotFound(approved.Result),
            _ => Problem(approved.Result),
        };
    }

    private static async Task<Results<Created<ApiKeyResponse>, NotFound<ProblemDetails>, ProblemHttpResult>> CreateApiKeyAsync(
        string userName, ApiKeyRequest request, HttpContext context, SessionStore sessions, CancellationToken cancellationToken)
    {
        var name = UserNames.Normalize(userName);
        var created = await sessions.CreateApiKeyAsync(name, request.Label ?? "", context.UserName(), cancellationToken);
        return created.Key is { } key ? TypedResults.Created($"/api/users/{name}", new ApiKeyResponse(name, request.Label ?? "", key))
            : created.Result.Outcome == AccessOutcome.NotFound ? NotFound(created.Result)
            : Problem(created.Result);
    }

    private static async Task<Results<NoContent, Accepted<PendingResponse>, NotFound<ProblemDetails>, ProblemHttpResult>> WithPermission(
        string permission, Func<Permission, Task<AccessResult>> change) =>
        ExactName.TryParse<Permission>(permission, out var parsed)
            ? await Answer(change(parsed))
            : TypedResults.Problem(statusCode: 400, title: "Unknown permission", detail: $"one permission per call, one of {ExactName.List<Permission>()}");

    private static async Task<Results<NoContent, Accepted<PendingResponse>, NotFound<ProblemDetails>, ProblemHttpResult>> Answer(Task<AccessResult> change)
    {
        var result = await change;
        return result.Outcome switch
        {
            AccessOutcome.Changed or AccessOutcome.Unchanged => TypedResults.NoContent(),
            AccessOutcome.Pending => TypedResults.Accepted((string?)null, new PendingResponse(RequestIdIn(result.Message), result.Message)),
            AccessOutcome.NotFound => NotFound(result),
            _ => Problem(result),
        };
    }

    // The pending message names its request: "... approve request ID (two-person rule)".
    private static string RequestIdIn(string message) =>
        message.LastIndexOf("approve request ", StringComparison.Ordinal) is >= 0 and var at ? message[(at + "approve request ".Length)..].Split(' ')[0] : "";

    private static NotFound<ProblemDetails> NotFound(AccessResult result) =>
        TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = result.Message });

    /// <summary>A refusal (403, audited by the store) or a malformed request (400).</summary>
    private static ProblemHttpResult Problem(AccessResult result) => result.Outcome == AccessOutcome.Invalid
        ? TypedResults.Problem(statusCode: 400, title: "Bad request", detail: result.Message)
        : TypedResults.Problem(statusCode: 403, title: "Refused", detail: result.Message);
}
